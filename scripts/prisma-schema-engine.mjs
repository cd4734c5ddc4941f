#!/usr/bin/env node
// Placeholder: replaced by the Wasm-backed schema engine shim.
console.error('schema engine shim not implemented yet');
process.exit(1);
