// The Fone Dynamics profile. Its credentials are static HTTP Basic, so there is no auth helper.
export { fonedynamics } from './profile.ts';
