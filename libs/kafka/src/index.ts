export * from './kafka-client';
export * from './kafka.module';
export * from './topics';
export * from './group-offsets';
export * from './partition-by-partition';
export * from './renewable-producer';
export * from './co-partitioned-assigner';
export * from './acls';
