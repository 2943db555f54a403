/**
 * Convio / Luminate Online's messages by code: "Status and Error Codes" (open.convio.com/api/
 * status-error-codes-client.html), and the newer apidoc error_codes page for 7, 8, 9 and 50.
 */
export const CONVIO_MESSAGES: Readonly<Record<string, string>> = {
  '1': 'Generic error.',
  '2': 'Missing or incorrect API key.',
  '3': 'Authentication or authorization failed. Either the system does not recognize the authentication credentials provided or the authenticated user does not have permission to access information as requested.',
  '4': 'The request was made from an IP address that is not allowed to call the requested method.',
  '5': 'The requested method can only be called from a trusted source.',
  '6': 'No method was specified in the request.',
  '7': 'Single SignOn failed.',
  '8': 'The request matched more than one constituent.',
  '9': 'One or more required parameters are missing.',
  '10': 'Required fields missing. One or more fields required for the requested method are missing.',
  '11': 'Cannot add the new user because there is already a matching record.',
  '12': 'Cannot add or update the user because there is already a record having the same user name.',
  '13': 'Cannot add or update the user because there is already a record having the same email address and the site is configured to disallow duplicate email addresses.',
  '14': 'The requested method is not allowed by the caller.',
  '15': 'Cannot update the user because multiple records match the search criteria.',
  '16': 'Cannot access the user because no records match the search criteria.',
  '17': 'No method was requested or the requested method does not exist.',
  '18': 'The requested field was not found.',
  '19': 'The members of a group could not be retrieved.',
  '50': 'The specified list criteria are invalid.',
  '101': 'The donation failed.',
  '102': 'No donation form was specified or the form is inaccessible.',
  '103': 'No donation level was specified or the level is inaccessible.',
  '302': 'Redirect.',
  '405': 'Bad HTTP method. Requests must be made via the "post" HTTP method.',
};

/**
 * The donation error's `reason` for a 101 that is not a form validation. Convio documents only
 * FIELD_VALIDATION; any other reason means the same to triage (a card may have been charged), and
 * this one is made up.
 */
export const DECLINED = 'CARD_DECLINED';

/** 101's variants in the order of the profile's: field validation, then anything else. */
export const CONVIO_VARIANTS: Readonly<Record<string, readonly { reason: string }[]>> = {
  '101': [{ reason: 'FIELD_VALIDATION' }, { reason: DECLINED }],
};
