/**
 * Fone Dynamics' ErrorCodes with their description from the "REST API Errors" page, and the
 * status the simulator sends: the page pairs none, but says 403 is for "missing permissions or
 * … an invalid state", so the permission and state codes get 403 and the rest 400.
 */
export const FONEDYNAMICS_ERRORS: Readonly<
  Record<string, readonly [status: number, message: string]>
> = {
  ADDRESS_CANNOT_BE_DELETED: [
    403,
    'A request to delete an address could not be processed as there are existing numbers which are linked to this address.',
  ],
  NUMBER_BELONGS_TO_DIFFERENT_PROPERTY: [
    403,
    'The number provided in the request belongs to a different property than the one provided in the request.',
  ],
  COUNTRY_UNAVAILABLE: [403, 'Attempted access to a country which is not available.'],
  FORBIDDEN: [403, 'A request could not be processed due to missing permissions.'],
  PARAMETER_REQUIRED: [400, 'A required parameter is missing.'],
  PARAMETER_INVALID: [400, 'A supplied parameter is not within appropriate bounds.'],
  PARAMETER_TOO_SHORT: [400, 'A provided parameter is too short.'],
  PARAMETER_TOO_LONG: [400, 'A provided parameter is too long.'],
  ONE_OF_SEVERAL_PARAMETERS_REQUIRED: [
    400,
    'At least one parameter from several parameters must be provided.',
  ],
  ADDRESS_NOT_FOUND: [400, 'A matching address could not be found.'],
  NUMBER_NOT_FOUND: [400, 'A matching phone number could not be found.'],
  LOCATION_NOT_FOUND: [
    400,
    'The combination of geographical filters that were provided cannot be resolved to a known location.',
  ],
  COUNTRY_NOT_FOUND: [400, 'A matching country could not be found.'],
  PROPERTY_NOT_FOUND: [400, 'A matching property could not be found.'],
  ACCOUNT_NOT_FOUND: [400, 'A matching account could not be found.'],
  CALL_NOT_FOUND: [400, 'A matching call could not be found.'],
  UNKNOWN_ROUTING_METHOD: [400, 'A provided routing method is not known.'],
  UNKNOWN_RECORDING_OPTION: [400, 'A provided recording option is not known.'],
  UNKNOWN_CAPABILITY: [400, 'A provided capability is not known.'],
  UNKNOWN_DISPOSITION: [400, 'A provided disposition is not known.'],
  UNKNOWN_NUMBERTYPE: [400, 'A provided number type is not known.'],
  INVALID_PHONENUMBER_FORMAT: [400, 'A provided number is not in the expected format (E.164).'],
  INVALID_COUNTRYCODE_FORMAT: [
    400,
    'A provided country code is not in the expected format (ISO 3166-1).',
  ],
  // Not on the page: www.fonedynamics.com/docs/rest-api/errors lists it (its text is cut off).
  CONFLICTING_PARAMETERS: [400, 'The provided parameters conflict with each other.'],
};

/**
 * The 401 the simulator sends for wrong or missing credentials. The page gives the status only
 * ("Wrong or missing credentials"); the capitalized code follows its naming and is not in the
 * profile's table, so triage classifies it by the 401.
 */
export const UNAUTHORIZED = ['UNAUTHORIZED', 'Wrong or missing credentials.'] as const;
