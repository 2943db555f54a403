import type { SimulatorBehaviors } from '../options.ts';

/** A VoipNow app's OAuth 2.0 client credentials. */
export interface VoipnowAccount {
  clientId: string;
  clientSecret: string;
}

/** Options of the VoipNow UnifiedAPI simulator (`/oauth/token.php`, `/uapi/…`). */
export interface VoipnowSimulatorOptions extends SimulatorBehaviors {
  vendor: 'voipnow';
  /** @default [DEMO_ACCOUNTS.voipnow] */
  accounts?: readonly VoipnowAccount[];
  /**
   * The `expires_in` of issued tokens, in seconds; a token is refused with `expired_token` after
   * it, on `clock`. "The access token is valid for 1 hour" (Obtain Authorization page).
   * @default 3600
   */
  expiresIn?: number;
}
