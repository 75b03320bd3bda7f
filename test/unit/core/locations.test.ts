import { toDefinitionReferences, toJobReferences } from '../../../lib/core/locations';
import { aDefinition, aJob, HOME } from '../../support/builders';

const s = (valueFrom: string) => ({ name: 'X', valueFrom });
const container = (tag: string) => ({
  secrets: [s(`/${tag}/env`)],
  logConfiguration: { logDriver: 'splunk', secretOptions: [s(`/${tag}/log`)] },
  repositoryCredentials: {
    credentialsParameter: `arn:aws:secretsmanager:us-east-2:123456789012:secret:${tag}/pull-AbCdEf`,
  },
});

describe('toDefinitionReferences', () => {
  it('finds references at every location with its path', () => {
    const definition = aDefinition([], {
      containerProperties: container('single'),
      nodeProperties: {
        numNodes: 2,
        nodeRangeProperties: [
          { targetNodes: '0:', container: container('node0') },
          { targetNodes: '1:1', ecsProperties: { taskProperties: [{ containers: [container('node1ecs')] }] } },
        ],
      },
      ecsProperties: { taskProperties: [{ containers: [{ name: 'a' }, container('ecs')] }] },
    });
    expect(toDefinitionReferences(definition, HOME).map((r) => r.location)).toEqual([
      'containerProperties.secrets[0]',
      'containerProperties.logConfiguration.secretOptions[0]',
      'containerProperties.repositoryCredentials.credentialsParameter',
      'nodeProperties.nodeRangeProperties[0].container.secrets[0]',
      'nodeProperties.nodeRangeProperties[0].container.logConfiguration.secretOptions[0]',
      'nodeProperties.nodeRangeProperties[0].container.repositoryCredentials.credentialsParameter',
      'nodeProperties.nodeRangeProperties[1].ecsProperties.taskProperties[0].containers[0].secrets[0]',
      'nodeProperties.nodeRangeProperties[1].ecsProperties.taskProperties[0].containers[0].logConfiguration.secretOptions[0]',
      'nodeProperties.nodeRangeProperties[1].ecsProperties.taskProperties[0].containers[0].repositoryCredentials.credentialsParameter',
      'ecsProperties.taskProperties[0].containers[1].secrets[0]',
      'ecsProperties.taskProperties[0].containers[1].logConfiguration.secretOptions[0]',
      'ecsProperties.taskProperties[0].containers[1].repositoryCredentials.credentialsParameter',
    ]);
  });

  it('keeps a missing valueFrom as an invalid reference', () => {
    const definition = aDefinition([], { containerProperties: { secrets: [{ name: 'X' }] } });
    expect(toDefinitionReferences(definition, HOME)).toEqual([
      { location: 'containerProperties.secrets[0]', reference: expect.objectContaining({ kind: 'invalid' }) },
    ]);
  });
});

describe('toJobReferences', () => {
  it('reads a job detail container as `container`', () => {
    const job = aJob({ container: container('job') });
    expect(toJobReferences(job, HOME).map((r) => r.location)[0]).toBe('container.secrets[0]');
  });
});
