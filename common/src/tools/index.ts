/**
 * `@postline/common/tools`: operator and test-script tooling (the events client; the
 * `postline-events` CLI in `cli/` is its command line). No service loads it: the runtime
 * (`@postline/common`) never imports from here.
 */
export * from './events-client';
