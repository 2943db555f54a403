// CO3's public API: the profile, its data, the session helper. An explicit list.

export { type Co3Auth, type Co3AuthOptions, type Co3Fetch, co3Auth } from './auth.ts';
export { CO3_CODES, CO3_EFFECT, CO3_FIELD_CODES, CO3_RATE } from './codes.ts';
export { detectCo3 } from './detect.ts';
export { Co3AuthError, isCo3AuthError } from './errors.ts';
export { co3 } from './profile.ts';
export { withSessionKey } from './session-key.ts';
