/** See chromium-args.mjs. */
export declare const CHROMIUM_ARGS: readonly string[];
