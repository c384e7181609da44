// What SQLite's documentation promises about a commit that returned SQLITE_OK, per journal mode
// and synchronous level, when the power fails: the oracle of the sqlite target judges recovery
// by these rules and nothing stronger. Each rule cites its page
// (https://sqlite.org/pragma.html#pragma_synchronous, #pragma_journal_mode; /wal.html;
// /atomiccommit.html; /howtocorrupt.html).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sqlite_adapter {

struct DurabilityRule {
  // How many of the last acknowledged commits a power loss may take away, the database staying
  // consistent (the state after a prefix of the commits). kAny: any number.
  std::uint64_t may_lose = 0;
  // The documentation says the database may be left corrupt or a transaction half-applied
  // (synchronous = off; journal_mode = off or memory): a violation is still reported (the
  // application's acknowledged data is gone), with this citation attached.
  bool corruption_documented = false;
  std::string why;  // the rule and its source, for notes and violation messages
  static constexpr std::uint64_t kAny = UINT64_MAX;
};

// `strict`: every acknowledged commit is required whatever the documentation allows (a user who
// took FULL to mean that).
DurabilityRule durability_rule(std::string_view journal_mode, std::string_view synchronous,
                               bool strict);

}  // namespace sqlite_adapter
