/**
 * The identities the reactor builds and reads back: change keys, ledger slots and item keys, and the tags it owns.
 * Built and parsed here only, never assembled as `a|b` strings or recovered with `startsWith` elsewhere.
 */
import type { Change, Effect } from './change';
import { toResourceKey } from './reference';

declare const brand: unique symbol;
type Branded<T, B extends string> = T & { readonly [brand]: B };

/** `resource|effect`: what a change did to which resource, whatever its time (coalescing and flags use it). */
export type SubjectKey = Branded<string, 'SubjectKey'>;

/** `resource|effect|ISO time`: one change (ledger entries, output events and the blast-radius budget use it). */
export type ChangeKey = Branded<string, 'ChangeKey'>;

/** The parts of a change key. */
export interface ParsedChangeKey {
  readonly subject: SubjectKey;
  readonly resource: string;
  readonly effect: string;
  readonly changedAt: number;
}

/** The text of an effect, e.g. `value-changed`, `label-moved:BLUE`. */
export function toEffectKey(effect: Effect): string {
  return effect.kind === 'label-moved' ? `label-moved:${effect.label}` : effect.kind;
}

/** The subject of a change: its resource and effect. */
export function toSubjectKey(change: Pick<Change, 'resource' | 'effect'>): SubjectKey {
  return `${toResourceKey(change.resource)}|${toEffectKey(change.effect)}` as SubjectKey;
}

/** The key of one change: resource, effect and time. */
export function toChangeKey(change: Pick<Change, 'resource' | 'effect' | 'changedAt'>): ChangeKey {
  return `${toSubjectKey(change)}|${new Date(change.changedAt).toISOString()}` as ChangeKey;
}

/**
 * Reads a change key back. Resource keys never contain `|` (parameter and secret names cannot), labels may: the
 * first `|` ends the resource and the last one starts the time.
 */
export function parseChangeKey(key: string): ParsedChangeKey | undefined {
  const first = key.indexOf('|');
  const last = key.lastIndexOf('|');
  if (first <= 0 || last <= first) return undefined;
  const changedAt = Date.parse(key.slice(last + 1));
  if (Number.isNaN(changedAt)) return undefined;
  const resource = key.slice(0, first);
  const effect = key.slice(first + 1, last);
  return { subject: `${resource}|${effect}` as SubjectKey, resource, effect, changedAt };
}

/** What a ledger entry of a job records: its one resubmission, or a flag for one subject. */
export type LedgerSlot = { readonly kind: 'resubmit' } | { readonly kind: 'flag'; readonly subject: SubjectKey };

const RESUBMIT_SLOT = 'resubmit';
const FLAG_SLOT_PREFIX = 'flag#';

/** The resubmission slot: a job is resubmitted at most once, whatever change asks. */
export const RESUBMIT: LedgerSlot = { kind: 'resubmit' };

/** The flag slot of a subject: a later event or a sweep about the same change does not flag the job again. */
export function toFlagSlot(subject: SubjectKey): LedgerSlot {
  return { kind: 'flag', subject };
}

/** The sort key of a slot in the ledger table: `resubmit` or `flag#<resource>|<effect>`. */
export function toSlotName(slot: LedgerSlot): string {
  return slot.kind === 'resubmit' ? RESUBMIT_SLOT : `${FLAG_SLOT_PREFIX}${slot.subject}`;
}

/** The prefix every flag slot name starts with (a key condition for "the flags of a job"). */
export const FLAG_SLOT_NAME_PREFIX = FLAG_SLOT_PREFIX;

/** Reads a slot name back; undefined for names the reactor does not write. */
export function parseSlotName(name: string): LedgerSlot | undefined {
  if (name === RESUBMIT_SLOT) return RESUBMIT;
  if (name.startsWith(FLAG_SLOT_PREFIX) && name.length > FLAG_SLOT_PREFIX.length) {
    return toFlagSlot(name.slice(FLAG_SLOT_PREFIX.length) as SubjectKey);
  }
  return undefined;
}

/** The ledger item key of the operators' control record (pause, dry-run, cap). */
export const CONTROL_ITEM_KEY = { jobId: 'rotation-reactor#control', slot: 'control' } as const;

/** The ledger item key of a change's blast-radius budget. */
export function toBudgetItemKey(change: ChangeKey): { readonly jobId: string; readonly slot: string } {
  return { jobId: `rotation-reactor#budget#${change}`, slot: 'budget' };
}

/** The tag operators set on jobs, job definitions or job queues. */
export const POLICY_TAG = 'rotation-reactor:policy';
/** Written on a flagged job: when the earliest change that made it stale happened. */
export const STALE_SINCE_TAG = 'rotation-reactor:stale-since';
/** Written on a flagged job: the reference that changed. */
export const STALE_REF_TAG = 'rotation-reactor:stale-ref';
/** Written on a replacement: the job it replaces and the newest change it answers (its lineage). */
export const REPLACES_TAG = 'rotation-reactor:replaces';

/** Tags the reactor owns on a job: never copied onto a replacement. */
export const REACTOR_JOB_TAGS: readonly string[] = [STALE_SINCE_TAG, STALE_REF_TAG, REPLACES_TAG];

/** A replacement's lineage: the job it replaces and the time of the newest change it answers. */
export interface Lineage {
  readonly replaces: string;
  /** Epoch ms; absent on replacements submitted before the lineage carried it. */
  readonly answers?: number;
}

/** The value of the lineage tag: `<jobId>` or `<jobId>@<ISO time>` (one tag: a job has at most 50). */
export function toLineageTag(lineage: Lineage): string {
  return lineage.answers === undefined
    ? lineage.replaces
    : `${lineage.replaces}@${new Date(lineage.answers).toISOString()}`;
}

/** Reads a lineage tag back; undefined when absent or not written by the reactor. */
export function parseLineageTag(value: string | undefined): Lineage | undefined {
  if (!value) return undefined;
  const at = value.indexOf('@');
  if (at < 0) return { replaces: value };
  const answers = Date.parse(value.slice(at + 1));
  if (at === 0 || Number.isNaN(answers)) return undefined;
  return { replaces: value.slice(0, at), answers };
}
