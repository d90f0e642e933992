// First of the entry file's imports: the instrumentations patch kafkajs and pg as they load.
import { startTelemetry } from '@credits/telemetry';

startTelemetry('quota-service');
