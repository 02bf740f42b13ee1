// The query service entry point; see service.ts.
export {};
