// msw handlers of @triage/testing (`@triage/testing/msw`): vendor simulators without a server.
// Needs msw 3 (an optional peer dependency).
export {
  createVendorHandlers,
  type VendorHandlers,
  type VendorHandlersOptions,
} from './handlers.ts';
