"""The API's own messages, in Khmer and English, keyed by their stable code.

Field messages from the registration service come from the project's gettext catalogues
(the same wording as the web forms). The few messages the API layer itself writes (the
error codes of every response and a handful of field messages) are part of the API
contract that partners code against, so they sit here beside their codes, and exist in
Khmer whether or not a catalogue has been compiled. DRF ships no Khmer catalogue.
"""

from django.utils.translation import get_language

MESSAGES: dict[str, tuple[str, str]] = {
    # code: (English, Khmer)
    "validation_error": (
        "Some values are not valid: see fields.",
        "ព័ត៌មានខ្លះមិនត្រឹមត្រូវ៖ សូមមើល fields។",
    ),
    "parse_error": (
        "The request body could not be read.",
        "មិនអាចអានខ្លឹមសារនៃសំណើបានទេ។",
    ),
    "not_authenticated": (
        "Send a token (Authorization: Token <key>) or sign in.",
        "សូមផ្ញើថូខឹន (Authorization: Token <key>) ឬចូលប្រើប្រព័ន្ធ។",
    ),
    "authentication_failed": (
        "The token or the sign-in is not valid.",
        "ថូខឹន ឬការចូលប្រើមិនត្រឹមត្រូវទេ។",
    ),
    "permission_denied": (
        "You are not allowed to do this.",
        "អ្នកមិនមានសិទ្ធិធ្វើការនេះទេ។",
    ),
    "not_found": ("Not found.", "រកមិនឃើញទេ។"),
    "method_not_allowed": (
        "Method %(method)s is not allowed here.",
        "មិនអនុញ្ញាតវិធី %(method)s នៅទីនេះទេ។",
    ),
    "not_acceptable": (
        "This API answers in JSON only.",
        "API នេះឆ្លើយតបជា JSON តែប៉ុណ្ណោះ។",
    ),
    "unsupported_media_type": (
        "Send the body as application/json (multipart/form-data for files).",
        "សូមផ្ញើខ្លឹមសារជា application/json (multipart/form-data សម្រាប់ឯកសារ)។",
    ),
    "throttled": (
        "Too many requests: try again in %(wait)s seconds.",
        "សំណើច្រើនពេក៖ សូមព្យាយាមម្តងទៀតក្នុងរយៈពេល %(wait)s វិនាទី។",
    ),
    "idempotency_key_invalid": (
        "An Idempotency-Key is 1 to 255 visible ASCII characters.",
        "Idempotency-Key ត្រូវមានពី 1 ដល់ 255 តួអក្សរ ASCII ដែលមើលឃើញ។",
    ),
    "idempotency_key_reused": (
        "This Idempotency-Key was already used for a different request.",
        "Idempotency-Key នេះត្រូវបានប្រើរួចហើយសម្រាប់សំណើផ្សេង។",
    ),
    "idempotency_in_progress": (
        "A request with this Idempotency-Key is still being processed: retry in a moment.",
        "សំណើដែលមាន Idempotency-Key នេះកំពុងដំណើរការ៖ សូមព្យាយាមម្តងទៀតបន្តិចទៀត។",
    ),
    "request_too_large": (
        "The request body is too large.",
        "ខ្លឹមសារនៃសំណើធំពេក។",
    ),
    "server_error": (
        "Something went wrong on our side. It has been logged; try again later.",
        "មានបញ្ហានៅខាងយើង។ បញ្ហានេះត្រូវបានកត់ត្រា សូមព្យាយាមម្តងទៀតនៅពេលក្រោយ។",
    ),
    "reference_exists": (
        "This reference is already registered at another branch of your partner.",
        "លេខយោងនេះត្រូវបានចុះឈ្មោះរួចហើយនៅសាខាផ្សេងទៀតរបស់ដៃគូអ្នក។",
    ),
    "registrant_inactive": (
        "This registrant has left the registry or was merged: the record cannot be changed.",
        "អ្នកចុះឈ្មោះនេះបានចាកចេញពីបញ្ជី ឬត្រូវបានបញ្ចូលគ្នា៖ មិនអាចកែប្រែកំណត់ត្រានេះបានទេ។",
    ),
    "read_only_scope": (
        "You may read this registrant but not change it.",
        "អ្នកអាចមើលអ្នកចុះឈ្មោះនេះបាន ប៉ុន្តែមិនអាចកែប្រែបានទេ។",
    ),
    "batch_not_ready": (
        "This batch cannot be committed in its current state (%(status)s).",
        "មិនអាចចុះឈ្មោះបាច់នេះក្នុងស្ថានភាពបច្ចុប្បន្ន (%(status)s) បានទេ។",
    ),
    # The registrant API (the mobile app).
    "staff_credentials_refused": (
        "The registrant API takes a registrant token only (Authorization: Bearer <token> "
        "from /api/v1/registrant/token/), never a staff token.",
        "API អ្នកចុះឈ្មោះទទួលយកតែថូខឹនអ្នកចុះឈ្មោះប៉ុណ្ណោះ (Authorization: Bearer <token> "
        "ពី /api/v1/registrant/token/) មិនមែនថូខឹនបុគ្គលិកទេ។",
    ),
    "registrant_token_on_staff_api": (
        "A registrant token opens the registrant API (/api/v1/registrant/) only.",
        "ថូខឹនអ្នកចុះឈ្មោះបើកបានតែ API អ្នកចុះឈ្មោះ (/api/v1/registrant/) ប៉ុណ្ណោះ។",
    ),
    "token_invalid": (
        "This token is not valid: sign in again with a code sent to your phone.",
        "ថូខឹននេះមិនត្រឹមត្រូវទេ៖ សូមចូលម្តងទៀតដោយប្រើលេខកូដដែលផ្ញើទៅទូរស័ព្ទរបស់អ្នក។",
    ),
    "token_expired": (
        "This token has expired: refresh it, or sign in again.",
        "ថូខឹននេះផុតកំណត់ហើយ៖ សូមធ្វើឱ្យថ្មី ឬចូលម្តងទៀត។",
    ),
    "token_revoked": (
        "This sign-in was ended: sign in again with a code sent to your phone.",
        "ការចូលនេះត្រូវបានបញ្ចប់ហើយ៖ សូមចូលម្តងទៀតដោយប្រើលេខកូដដែលផ្ញើទៅទូរស័ព្ទរបស់អ្នក។",
    ),
    "token_reused": (
        "This refresh token was already used, so it may have been copied: the sign-in is "
        "ended for safety. Sign in again with a code sent to your phone.",
        "ថូខឹនធ្វើឱ្យថ្មីនេះត្រូវបានប្រើរួចហើយ ហើយប្រហែលជាត្រូវបានចម្លង៖ ការចូលត្រូវបានបញ្ចប់ "
        "ដើម្បីសុវត្ថិភាព។ សូមចូលម្តងទៀតដោយប្រើលេខកូដដែលផ្ញើទៅទូរស័ព្ទរបស់អ្នក។",
    ),
    "code_rate_limited": (
        "Too many codes were asked for: wait and try again.",
        "បានស្នើលេខកូដច្រើនពេក៖ សូមរង់ចាំ ហើយព្យាយាមម្តងទៀត។",
    ),
    "campaign_not_running": (
        "The campaign code is not running now: you are registered without it.",
        "លេខកូដយុទ្ធនាការមិនកំពុងដំណើរការទេ៖ អ្នកបានចុះឈ្មោះដោយគ្មានវា។",
    ),
    "confirm_required": (
        "Send confirm: true to leave the registry.",
        "សូមផ្ញើ confirm: true ដើម្បីចាកចេញពីបញ្ជី។",
    ),
    "challenge_invalid": (
        "Ask for a new code.",
        "សូមស្នើលេខកូដថ្មី។",
    ),
    "field_not_allowed": (
        "This field cannot be sent here.",
        "មិនអាចផ្ញើវាលនេះនៅទីនេះបានទេ។",
    ),
    "csrf_failed": (
        "Refused: a request made with the site's sign-in session needs its CSRF token. "
        "Systems send a token instead (Authorization: Token <key>).",
        "ត្រូវបានបដិសេធ៖ សំណើដែលប្រើវគ្គចូលប្រើរបស់គេហទំព័រ ត្រូវការ CSRF token របស់វា។ "
        "ប្រព័ន្ធផ្សេងៗត្រូវផ្ញើថូខឹនជំនួសវិញ (Authorization: Token <key>)។",
    ),
    # Field messages.
    "page_invalid": (
        "A page is a whole number from 1.",
        "ទំព័រត្រូវតែជាចំនួនគត់ចាប់ពី 1 ឡើងទៅ។",
    ),
    "page_size_invalid": (
        "page_size is a whole number from 1 to 200.",
        "page_size ត្រូវតែជាចំនួនគត់ពី 1 ដល់ 200។",
    ),
    "branch_required": (
        "Name the branch (its code): you work for more than one.",
        "សូមបញ្ជាក់សាខា (លេខកូដ)៖ អ្នកធ្វើការឱ្យសាខាច្រើនជាងមួយ។",
    ),
    "branch_not_yours": (
        "Branch %(code)s is not one of your branches.",
        "សាខា %(code)s មិនមែនជាសាខារបស់អ្នកទេ។",
    ),
    "channel_invalid": (
        "Channel is api or app.",
        "ឆានែលត្រូវតែជា api ឬ app។",
    ),
    "consent_unknown": (
        "Unknown purpose %(purpose)s: use data_sharing or an active programme code.",
        "គោលបំណង %(purpose)s មិនស្គាល់ទេ៖ សូមប្រើ data_sharing ឬលេខកូដកម្មវិធីដែលកំពុងដំណើរការ។",
    ),
    "reference_not_allowed": (
        "A reference is the partner's form number: only partner staff send one.",
        "លេខយោងគឺជាលេខទម្រង់របស់ដៃគូ៖ មានតែបុគ្គលិកដៃគូប៉ុណ្ណោះដែលអាចផ្ញើបាន។",
    ),
    "reference_length": (
        "Use at most 64 characters.",
        "សូមប្រើមិនលើសពី 64 តួអក្សរ។",
    ),
    "parameter_required": (
        "Give %(parameter)s=CODE.",
        "សូមផ្តល់ %(parameter)s=CODE។",
    ),
    "query_or_commune_required": (
        "Give commune=CODE or q=TEXT (at least 2 characters).",
        "សូមផ្តល់ commune=CODE ឬ q=TEXT (យ៉ាងហោចណាស់ 2 តួអក្សរ)។",
    ),
    "row_status_invalid": (
        "Status is valid, invalid, existing or committed.",
        "ស្ថានភាពត្រូវតែជា valid, invalid, existing ឬ committed។",
    ),
    "file_required": (
        "Attach the file (multipart field 'file').",
        "សូមភ្ជាប់ឯកសារ (វាល multipart 'file')។",
    ),
    "field_unknown": (
        "This field cannot be changed here.",
        "មិនអាចកែប្រែវាលនេះនៅទីនេះបានទេ។",
    ),
    "search_too_short": (
        "Give at least %(n)s letters of the name, or a whole number.",
        "សូមផ្តល់អក្សរយ៉ាងហោចណាស់ %(n)s នៃឈ្មោះ ឬលេខពេញ។",
    ),
}


def api_text(code: str, /, **params) -> str:
    """The message for `code` in the active language (Khmer unless English is active)."""
    english, khmer = MESSAGES[code]
    text = english if get_language() == "en" else khmer
    return text % params if params else text
