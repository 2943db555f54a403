/**
 * SimplyBook.me's messages by code, as the "Errors handling" page writes them (typos included:
 * they are what the API sends). Every error comes in an HTTP 200 JSON-RPC body; the page gives no
 * other status.
 */
export const SIMPLYBOOK_MESSAGES: Readonly<Record<string, string>> = {
  '-32001': 'Plugin is not activated',
  '-32010': 'Some required params are missed',
  '-32011': 'Params is not array',
  '-32012': 'Sheduler id not found',
  '-32020': 'Sorry, you have no permissions to perform this action',
  '-32030': 'Invalid promotion code',
  '-32031': 'Promotion has expired',
  '-32032': 'Promotion is not active yet',
  '-32033': 'This promocode is not valid for selected service',
  '-32034': 'Exceed max usage limit',
  '-32035': "Exceed max usage per customer limit'const",
  '-32036': 'This promocode is not available for datetime range',
  '-32051': 'Selected event id is not available',
  '-32052': 'Selected unit id is not available',
  '-32053': 'Selected date start is not available',
  '-32054': 'Selected time start is not available',
  '-32055': "One or more appointments couldn't be reserved",
  '-32056': 'Booking is not allowed at this time',
  '-32061': 'Client name value is wrong',
  '-32062': 'Client email value is wrong',
  '-32063': 'Client phone value is wrong',
  '-32070': 'Additional field values are wrong',
  '-32080': "Appointemnt couldn't be found",
  '-32085': 'Signature error',
  '-32090': 'Confirmation with this key type is not available',
  '-32095': 'Batch not found',
  '-32097': 'Unsupported payment system',
  '-32099': 'Payment failed',
  '-32600': 'Access denied',
  '-32601': 'Method not found',
  '-32602': 'Invalid params',
  '-32603': 'Internal error',
  '-3264': 'Client with given id not found',
  '-32064': 'Client with given id not found',
  '-33001': 'Company does not exist',
  '-33002': 'Wrong API key',
  '-33003': 'User with this login and password not found',
  '-33004': 'User is blocked',
  '-33005': 'You are not allowed to use this application when HIPAA Plugin is enabled',
};

/**
 * -32600 carries one of several messages (page), and the message decides what it means; in the
 * order of the profile's variants. The last is JSON-RPC 2.0's own "Invalid Request".
 */
export const SIMPLYBOOK_VARIANTS: Readonly<Record<string, readonly { message: string }[]>> = {
  '-32600': [
    { message: 'Access denied' },
    { message: 'Company does not exists' },
    { message: 'Invalid Request' },
  ],
};

/** JSON-RPC 2.0 §5.1: the body was not JSON. Not on SimplyBook's page; any JSON-RPC server sends it. */
export const PARSE_ERROR = { code: -32700, message: 'Parse error' } as const;
