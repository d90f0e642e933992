import type { Command } from 'commander';
import { aclEntriesOf, deploymentAcls } from '@credits/kafka';
import { withContext } from '../context';
import { render, type Format } from '../output';
import { formatOption } from './options';

export function kafkaCommand(program: Command): void {
  program
    .command('kafka')
    .description('the Kafka side of a deployment: what each principal may do')
    .command('acls')
    .description(
      'the ACLs this deployment needs (KAFKA_TOPIC_PREFIX applied); with --apply, creates them on the cluster, which needs a principal allowed to alter ACLs (the super user admin of kafka.sh KAFKA_SECURITY=scram); creating them again changes nothing',
    )
    .option('--apply', 'create them on the cluster in KAFKA_BROKERS')
    .addOption(formatOption())
    .action(({ apply, format }: { apply?: boolean; format: Format }) =>
      withContext(async (context) => {
        const grants = deploymentAcls(context.config.kafka.topicPrefix);
        const rows = grants.map((grant) => ({
          principal: grant.principal,
          resource: grant.resource,
          name: grant.name,
          pattern: grant.pattern,
          operations: grant.operations.join(','),
          why: grant.why,
        }));
        const entries = aclEntriesOf(grants);
        if (apply) {
          const admin = (await context.broker()).admin();
          await admin.connect();
          try {
            await admin.createAcls({ acl: entries });
          } finally {
            await admin.disconnect();
          }
        }
        console.log(
          render(rows, ['principal', 'resource', 'name', 'pattern', 'operations', 'why'], format),
        );
        if (apply && format === 'table')
          console.log(
            `created ${entries.length} ACL entries (those present already are unchanged)`,
          );
      }),
    );
}
