// Every vendor profile. Import a subpath (`@triage/vendors/co3`) to load only one vendor.
export { co3 } from './co3/index.ts';
export { convio } from './convio/index.ts';
export { fonedynamics } from './fonedynamics/index.ts';
export { simplybook } from './simplybook/index.ts';
export { voipnow } from './voipnow/index.ts';
