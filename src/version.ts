/** This package's version; also the tag of the default onnxfleet-server image. */
export const VERSION = "0.1.0";
