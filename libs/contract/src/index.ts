export * from './editor-events/editor-event.dto';
export * from './editor-events/parse-editor-event';
export * from './editor-events/to-command';
export * from './editor-events/dead-letters';
export * from './decisions/decision-message';
export * from './ids/name-based-uuid';
export * from './time/is-instant';
export * from './ledger/ledger-codec';
