#include "ledger/base/error.h"

const char *coop_err_name(coop_err err)
{
  switch (err) {
#define COOP_ERROR_NAME(name, value, message) case name: return #name;
    COOP_ERROR_TABLE(COOP_ERROR_NAME)
#undef COOP_ERROR_NAME
  }
  return "COOP_E_UNKNOWN";
}

const char *coop_err_message(coop_err err)
{
  switch (err) {
#define COOP_ERROR_MESSAGE(name, value, message) case name: return message;
    COOP_ERROR_TABLE(COOP_ERROR_MESSAGE)
#undef COOP_ERROR_MESSAGE
  }
  return "unknown error";
}
