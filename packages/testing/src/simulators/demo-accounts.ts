/**
 * The accounts every simulator knows unless given its own: use them in your tests' credentials.
 * The CO3 password's MD5 is precomputed because the simulators use no hash of their own.
 *
 * @example
 * ```ts
 * const { company, apiKey } = DEMO_ACCOUNTS.simplybook;
 * const auth = simplybookAuth({ company, apiKey, loginUrl: `${simulator.url}/login` });
 * ```
 */
export const DEMO_ACCOUNTS: {
  readonly simplybook: { readonly company: string; readonly apiKey: string };
  readonly co3: {
    readonly apiKey: string;
    readonly username: string;
    readonly password: string;
    readonly passwordMd5: string;
  };
  readonly convio: { readonly apiKey: string };
  readonly voipnow: { readonly clientId: string; readonly clientSecret: string };
  readonly fonedynamics: {
    readonly accountSid: string;
    readonly token: string;
    readonly propertySid: string;
  };
} = Object.freeze({
  simplybook: Object.freeze({ company: 'demo-company', apiKey: 'demo-api-key' }),
  co3: Object.freeze({
    apiKey: 'demo-api-key',
    username: 'demo',
    password: 'demo-password',
    // md5('demo-password')
    passwordMd5: '4b4d9529148d8d9440d7e20c78287f69',
  }),
  convio: Object.freeze({ apiKey: 'demo-api-key' }),
  voipnow: Object.freeze({ clientId: 'demo-client', clientSecret: 'demo-secret' }),
  fonedynamics: Object.freeze({
    accountSid: 'AC00000000000000000000000000000001',
    token: 'demo-token',
    propertySid: 'PR00000000000000000000000000000001',
  }),
});
