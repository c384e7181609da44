#include "adapters/sqlite/sqlite_model.h"

#include <fmt/format.h>

namespace sqlite_adapter {

std::string Change::statement() const {
  switch (kind) {
    case Kind::kPut: return fmt::format("INSERT OR REPLACE INTO t{} VALUES(?1, ?2)", table);
    case Kind::kAppend: return fmt::format("UPDATE t{} SET v = v || ?2 WHERE k = ?1", table);
    case Kind::kErase: return fmt::format("DELETE FROM t{} WHERE k BETWEEN ?1 AND ?2", table);
  }
  return "";
}

std::string Txn::describe() const {
  return fmt::format("op {} ({} change{}, {})", op, changes.size(),
                     changes.size() == 1 ? "" : "s", committed ? "committed" : "failed");
}

void apply_to(DbState& state, const Txn& txn) {
  for (const Change& change : txn.changes) {
    switch (change.kind) {
      case Change::Kind::kPut:
        state[{change.table, change.key}] = change.value;
        break;
      case Change::Kind::kAppend: {
        auto found = state.find({change.table, change.key});
        if (found != state.end()) found->second += change.value;
        break;
      }
      case Change::Kind::kErase:
        state.erase(state.lower_bound({change.table, change.key}),
                    state.upper_bound({change.table, change.last}));
        break;
    }
  }
}

std::string first_difference(const DbState& got, const DbState& want) {
  for (const auto& [row, value] : want) {
    auto found = got.find(row);
    if (found == got.end()) {
      return fmt::format("t{}[{}] missing (model: '{:.12}..', {} bytes)", row.first, row.second,
                         value, value.size());
    }
    if (found->second != value) {
      return fmt::format("t{}[{}] = '{:.12}..' ({} bytes; model: '{:.12}..', {} bytes)",
                         row.first, row.second, found->second, found->second.size(), value,
                         value.size());
    }
  }
  for (const auto& [row, value] : got) {
    if (want.count(row) == 0) {
      return fmt::format("t{}[{}] = '{:.12}..' (model: absent)", row.first, row.second, value);
    }
  }
  return "none";
}

std::vector<std::size_t> open_failures(const std::vector<Txn>& txns) {
  std::vector<std::size_t> open;
  for (std::size_t i = 0; i < txns.size(); ++i) {
    if (!txns[i].committed && !txns[i].settled) open.push_back(i);
  }
  if (open.size() > kMaxOpenFailures) {
    open.erase(open.begin(), open.end() - static_cast<std::ptrdiff_t>(kMaxOpenFailures));
  }
  return open;
}

std::vector<Txn> history(const std::vector<Txn>& txns, const std::vector<std::size_t>& open,
                         std::uint32_t lost) {
  std::vector<Txn> out;
  out.reserve(txns.size());
  std::size_t next = 0;
  for (std::size_t i = 0; i < txns.size(); ++i) {
    const bool is_open = next < open.size() && open[next] == i;
    const bool dropped = is_open && ((lost >> next) & 1u) != 0;
    if (is_open) ++next;
    if (!dropped) out.push_back(txns[i]);
  }
  return out;
}

}  // namespace sqlite_adapter
