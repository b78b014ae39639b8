// The entry point for everything but Node (bundlers, browsers, workers): no Node stream code.
export * from './public-api.js';
export { createResilientAxios, type ResilientAxiosInstance } from './axios/create-browser.js';
