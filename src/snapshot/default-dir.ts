// Apart from store.ts so the CLI's option definitions can name it without loading yaml at every start.
export const defaultSnapshotsDir = 'snapshots';
