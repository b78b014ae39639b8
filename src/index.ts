// The Node entry point (export condition `node`): `stream()` and `download()` resume broken bodies.
export * from './public-api.js';
export { createResilientAxios, type ResilientAxiosInstance } from './streams/create.js';
