// The SimplyBook.me profile and its credential helper: an explicit list, types exported as types.
export {
  type SimplybookAuth,
  SimplybookAuthError,
  type SimplybookAuthOptions,
  simplybookAuth,
} from './auth.ts';
export { simplybook } from './profile.ts';
