export const VERSION = "0.1.0";

export * from "./errors";
export * from "./lazy";
export * from "./plan/autoscaled-endpoint";
export * from "./plan/model-service";
export * from "./plan/types";
export * from "./specs/autoscaled-endpoint";
export * from "./specs/common";
export * from "./specs/model-service";
export * from "./validate";
