import { spawnSync } from 'node:child_process';

/** Throws one clear line when the AWS CLI is not on the PATH (never skips: a green run hides nothing). */
export function requireAwsCli(): void {
  const probe = spawnSync('aws', ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `the AWS CLI is required by these tests but \`aws --version\` failed (${probe.error?.message ?? probe.stderr.trim()}); install it (Debian: apt-get install awscli) or put \`aws\` on the PATH`,
    );
  }
}
