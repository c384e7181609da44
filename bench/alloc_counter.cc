// Replaces the global allocation functions with malloc-backed ones that count. A relaxed
// atomic increment costs nothing measurable next to the allocation itself, and a path that
// never allocates (the target for appends) never touches the counter at all.
#include "alloc_counter.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace bench {
namespace {

std::atomic<std::uint64_t> g_allocations{0};
std::atomic<std::uint64_t> g_appender_allocations{0};
thread_local bool t_appender = false;

void count() {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (t_appender) g_appender_allocations.fetch_add(1, std::memory_order_relaxed);
}

void* counted_alloc(std::size_t size) {
  count();
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void* counted_aligned_alloc(std::size_t size, std::align_val_t align) {
  count();
  const auto alignment = static_cast<std::size_t>(align);
  const std::size_t rounded = (size + alignment - 1) / alignment * alignment;
  void* p = std::aligned_alloc(alignment, rounded == 0 ? alignment : rounded);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace

std::uint64_t allocations() { return g_allocations.load(std::memory_order_relaxed); }
std::uint64_t appender_allocations() {
  return g_appender_allocations.load(std::memory_order_relaxed);
}
void mark_appender_thread() { t_appender = true; }

}  // namespace bench

void* operator new(std::size_t size) { return bench::counted_alloc(size); }
void* operator new[](std::size_t size) { return bench::counted_alloc(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  bench::count();
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
void* operator new(std::size_t size, std::align_val_t align) {
  return bench::counted_aligned_alloc(size, align);
}
void* operator new[](std::size_t size, std::align_val_t align) {
  return bench::counted_aligned_alloc(size, align);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
