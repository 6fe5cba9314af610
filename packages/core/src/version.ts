// Kept equal to package.json by a test; plugins declare the range of it they support.
export const CORE_VERSION = '0.1.0';
