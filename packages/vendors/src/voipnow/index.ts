// The VoipNow UnifiedAPI profile and its credential helper: an explicit list, types as types.
export {
  type VoipnowAuth,
  VoipnowAuthError,
  type VoipnowAuthOptions,
  voipnowAuth,
} from './auth.ts';
export { voipnow } from './profile.ts';
