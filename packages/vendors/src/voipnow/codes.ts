import type { CodeRule, CodeTable } from '@triage/core';
import { codeTable } from '../shared/code-table.ts';

// Every code on 4PSA's UnifiedAPI "HTTP Return Codes" page (wiki.4psa.com, VNUAPI30; kept as
// vendor-docs/voipnow-unifiedapi-errors.txt) and every voipnow_unifiedapi row of
// classification.csv. "page" in a reason means that page. A code listed twice on the page is
// one row: the table is keyed by code, and the vendor's message is kept on the classification.

/** A 400 row: the request was refused as sent, so nothing happened (page: 400 Bad Request). */
function invalid(message: string, note?: string): CodeRule {
  return {
    category: 'validation',
    effect: 'none',
    reason: `400 "${message}" (page)${note === undefined ? '' : `: ${note}`}`,
  };
}

const DATE_FORMAT = 'the format is ISO 8601 YYYY-MM-DDThh:mm:ss';

/** VoipNow UnifiedAPI error codes → meaning. */
export const voipnowCodes: CodeTable = codeTable({
  cdr_start_date_invalid: invalid('The start date parameter is invalid', DATE_FORMAT),
  cdr_end_date_invalid: invalid('The end date parameter is invalid', DATE_FORMAT),
  cdr_source_invalid: invalid('The source parameter is invalid.'),
  cdr_destination_invalid: invalid('The destination parameter is invalid.'),
  cdr_flow_invalid: invalid('The flow parameter is invalid.'),
  cdr_disposition_invalid: invalid('The disposition parameter is invalid.'),
  cdr_save_start_date_invalid: invalid('The save start date parameter is invalid', DATE_FORMAT),
  cdr_save_end_date_invalid: invalid(
    'The end start date parameter is invalid',
    'sic; the save end date, ISO 8601',
  ),
  cdr_invalid_date_parameters: invalid(
    'The start date parameter is greater than end date parameter.',
  ),
  cdr_invalid_filter_by_answered: invalid('The filter by answered date parameter is invalid.'),
  cdr_invalid_filter_by_published: invalid('The filter by published date parameter is invalid.'),
  cdr_invalid_filter_by_source: invalid('The filter by source parameter is invalid.'),
  cdr_invalid_filter_by_destination: invalid('The filter by destination parameter is invalid.'),
  fields_invalid: invalid('Parameter fields is invalid.'),
  count_invalid: invalid('Parameter count is invalid.'),
  filterby_invalid: invalid('Parameter filterBy is invalid.'),
  filterop_invalid: invalid('Parameter filterOp is invalid.'),
  filtervalue_invalid: invalid(
    'Parameter filterValue is invalid.',
    'listed three times with different messages (onArray operation, invalid numbers); one meaning',
  ),
  sortorder_invalid: invalid('Parameter sortOrder is invalid.'),
  startindex_invalid: invalid('Parameter startIndex is invalid.'),
  user_invalid: invalid('The user Id parameter is invalid.'),
  extension_invalid: invalid(
    'Invalid extension given in the URI-Fragment',
    'listed twice, identically',
  ),
  fx_recipients_invalid: invalid('The recipients parmeter is invalid.', 'sic'),
  fx_approved_invalid: invalid('The approved parameter is invalid.'),
  fx_file_invalid: invalid('One of the sent files are invalid.'),
  fx_max_files_reached: invalid('The number of files that can be sent has been exceeded.'),
  fx_upload_identifier_invalid: invalid(
    'Invalid uploadIdentifier. Must be alphanumeric and maximum 32 characters.',
  ),
  pc_duration_invalid: invalid('Parameter callDuration is invalid.'),
  pc_source_invalid: invalid('Parameter source is invalid.'),
  pc_destination_invalid: invalid('Parameter destination is invalid.'),
  pc_timeout_invalid: invalid('Parameter timeout is invalid.'),
  pc_callerid_invalid: invalid('Parameter callerId is not valid.'),
  pc_transfer_invalid: invalid('Parameter allowPublicTransfer is invalid.'),
  pc_nonce_invalid: invalid('Parameter nonce is invalid.'),
  pc_calleriddestination_invalid: invalid('Parameter callerIdDestination is not valid.'),
  pc_calleecallerid_invalid: invalid(
    'Parameter callerIdDestination is not valid.',
    'message copied from pc_calleriddestination_invalid; the code names the callee caller id',
  ),
  pc_video_invalid: invalid('Parameter video is invalid.'),
  pc_pin_invalid: invalid('Parameter conferencePin is invalid.'),
  pc_number_invalid: invalid(
    'Parameter conferencePin is invalid.',
    'message copied from pc_pin_invalid; the code names the number',
  ),
  invalid_filter_by_published: invalid('The filter by published date is invalid.'),
  invalid_filter_by_phone_call_id: invalid('The filter by phone call id is invalid.'),
  pc_parktimeout_invalid: invalid('Parameter maxinparking is invalid.'),
  pc_phonecall_invalid: invalid('The PhoneCall ID provided is invalid.'),
  pc_phonecallview_invalid: invalid('The PhoneCall View ID provided is invalid.'),
  pc_recformat_invalid: invalid('Parameter format is invalid.'),
  pc_sendcallto_invalid: invalid('Parameter sendCallTo is invalid.'),
  pc_transfer_from_number_invalid: invalid('Parameter transferFromNumber is invalid.'),
  pc_transfer_number_invalid: invalid('Parameter transferNumber is invalid.'),
  pc_private_invalid: invalid(
    'Parameter private is invalid.',
    'listed twice, the second time as "The phone number is invalid."',
  ),
  pce_id_invalid: invalid(
    'The id of the event is not valid.',
    'after a retried DELETE it may mean the event is already gone',
  ),
  pce_type_invalid: invalid('The type of the event is not valid.'),
  pcet_type_invalid: invalid(
    'The type of the event is not valid.',
    'not on this page: the Create PhoneCallEvents page spells pce_type_invalid so',
  ),
  pce_method_invalid: invalid('The request method is invalid.'),
  pce_note_invalid: invalid('The note is invalid.'),
  pce_url_invalid: invalid('The URL is invalid.'),
  pce_status_invalid: invalid('The status is invalid.'),
  status_invalid: invalid('The type of action performed is invalid.'),
  qag_agent_invalid: invalid('The agent identifier is invalid.'),
  qag_number_invalid: invalid('The agent phone number is invalid.'),
  qag_fail_update: {
    category: 'fatal',
    effect: 'unknown',
    reason:
      'Differs from classification.csv (validation): 400 "Failed to change the status." (page) reports a failed server-side change, not a bad parameter, so there is nothing to fix in the request; not retried by default either way',
  },
  qag_fail_update_number: {
    category: 'fatal',
    effect: 'unknown',
    reason:
      'Differs from classification.csv (validation): 400 "Failed to change the agent number." (page) reports a failed server-side change, like qag_fail_update; not retried by default',
  },
  qag_cannot_update_number: invalid(
    'Cannot modify the phone number for a local agent.',
    'a business rule',
  ),
  unauthorized: {
    category: 'auth',
    effect: 'none',
    refreshable: true,
    reason:
      '401 "Access unauthorized" (page): the bearer token is missing or bad; get a new token once, then stop',
  },
  expired_token: {
    category: 'auth',
    effect: 'none',
    refreshable: true,
    reason:
      '401 "Token is expired or otherwise invalid." (page): tokens live one hour (Obtain Authorization page); get a new one',
  },
  access_denied: {
    category: 'auth',
    effect: 'none',
    refreshable: true,
    reason:
      '401 "The token is invalid." (page): get a new token once; a repeat means denied (the older page calls it "not authorized to use this request")',
  },
  access_denided: {
    category: 'auth',
    effect: 'none',
    refreshable: true,
    reason:
      "Not on this page: the older HTTP Return Codes page's example spells access_denied so; same meaning",
  },
  pce_access_denied: {
    category: 'auth',
    effect: 'none',
    refreshable: false,
    reason:
      '403 "You are not allowed to manage Call Events." (page): a permission; a new token has the same rights',
  },
  internal_server_error: {
    category: 'retryable',
    effect: 'unknown',
    // RESEARCH.md §6: a repeated POST could place a duplicate phone call or fax.
    retry: { retries: 2, idempotentOnly: true },
    reason:
      '500 "An internal server error occurred." (page): it may have acted; retry GET, PUT and DELETE only, at most twice',
  },
  pce_fail_add: {
    category: 'fatal',
    effect: 'unknown',
    retry: { retries: 0 },
    reason:
      '500 "Failed to add the event." (page): a POST whose outcome is unknown; list the phone call events before trying again',
  },
  pce_fail_update: {
    category: 'retryable',
    effect: 'unknown',
    retry: { retries: 2, idempotentOnly: true },
    reason:
      '500 "Failed to update the event." (page): an update is a PUT, idempotent, so a bounded retry is safe',
  },
  pce_fail_delete: {
    category: 'retryable',
    effect: 'unknown',
    retry: { retries: 2, idempotentOnly: true },
    reason:
      '500 "Failed to delete the event." (page): a DELETE, idempotent; a later pce_id_invalid may mean it is gone',
  },
  not_implemented: {
    category: 'fatal',
    effect: 'none',
    reason:
      '501 "The operation is not implemented." (page): this server lacks the operation, so nothing ran (RFC 9110 §15.6.2)',
  },
  request_not_implemented: {
    category: 'fatal',
    effect: 'none',
    reason: "Not on this page: the older HTTP Return Codes page's name for not_implemented (501)",
  },
});
