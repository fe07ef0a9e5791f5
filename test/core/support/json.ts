/** Planned objects are plain JSON; tests read them by path. */
// biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary object paths
export type Json = Record<string, any>;
