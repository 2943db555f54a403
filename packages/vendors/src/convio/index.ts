// Convio / Luminate Online's public API: the profile and its data. An explicit list.

export { CONVIO_CODES, CONVIO_STATUSES, FIELD_VALIDATION } from './codes.ts';
export { detectConvio } from './detect.ts';
export { convio } from './profile.ts';
