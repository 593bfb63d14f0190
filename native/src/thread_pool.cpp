#include "thread_pool.hpp"

#include <dlfcn.h>
#include <link.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace actortrain {
namespace {

struct Job {
  const std::function<void(int64_t)>* body;
  int64_t items;
  std::atomic<int64_t> next{0};
  int helpers_wanted;
  int helpers_joined = 0;    // guarded by the pool mutex
  int helpers_running = 0;   // guarded by the pool mutex
  std::exception_ptr error;  // first exception, guarded by the pool mutex
};

class Pool {
 public:
  static Pool& instance() {
    // Leaked on purpose: workers may still sleep at process exit, and joining them from a static
    // destructor after libtorch's runtime is gone would hang or crash.
    static Pool* pool = new Pool();
    return *pool;
  }

  void run(int64_t items, int threads, const std::function<void(int64_t)>& body) {
    Job job;
    job.body = &body;
    job.items = items;
    const int64_t useful_helpers = items - 1;
    job.helpers_wanted = static_cast<int>(threads - 1 < useful_helpers ? threads - 1 : useful_helpers);
    if (job.helpers_wanted > 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      grow(job.helpers_wanted);
      queue_.push_back(&job);
      wake_.notify_all();
    }
    work(job);
    std::unique_lock<std::mutex> lock(mutex_);
    remove(&job);  // no helper may join once the caller has finished its share
    done_.wait(lock, [&] { return job.helpers_running == 0; });
    if (job.error) std::rethrow_exception(job.error);
  }

 private:
  void grow(int helpers) {
    while (static_cast<int>(workers_.size()) < helpers) {
      workers_.emplace_back([this] { serve(); });
      workers_.back().detach();
    }
  }

  void serve() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return !queue_.empty(); });
      Job* job = queue_.front();
      ++job->helpers_running;
      if (++job->helpers_joined == job->helpers_wanted) queue_.pop_front();
      lock.unlock();
      work(*job);
      lock.lock();
      if (--job->helpers_running == 0) done_.notify_all();
    }
  }

  void work(Job& job) {
    try {
      for (int64_t item; (item = job.next.fetch_add(1, std::memory_order_relaxed)) < job.items;) (*job.body)(item);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!job.error) job.error = std::current_exception();
      job.next.store(job.items);  // stop handing out items
    }
  }

  void remove(Job* job) {
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if (*it == job) {
        queue_.erase(it);
        return;
      }
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::deque<Job*> queue_;
  std::vector<std::thread> workers_;
};

// libtorch's OpenMP runtime, when one is already in the process. Its worker threads spin for a
// while after every parallel region of libtorch's; our own threads starting then would fight them
// for the cores (measured: ~10% of the time in libgomp's spin loop, backward 30% slower). Running
// our items on that team instead means the same threads do libtorch's work and ours, in turn. We
// never link or load OpenMP ourselves: we only use the copy libtorch brought, found by name among
// the loaded libraries.
struct OpenMpTeam {
  using Parallel = void (*)(void (*)(void*), void*, unsigned, unsigned);
  Parallel parallel = nullptr;
  std::string library;

  static const OpenMpTeam& instance() {
    static const OpenMpTeam team = find();
    return team;
  }

 private:
  static OpenMpTeam find() {
    OpenMpTeam team;
    const char* choice = std::getenv("ACTORTRAIN_THREADS");
    if (choice != nullptr && std::strcmp(choice, "own") == 0) return team;
    dl_iterate_phdr(
        [](dl_phdr_info* info, size_t, void* found) {
          auto* team = static_cast<OpenMpTeam*>(found);
          const char* name = info->dlpi_name;
          if (name == nullptr || std::strstr(name, "libgomp") == nullptr) return 0;
          void* handle = dlopen(name, RTLD_LAZY | RTLD_NOLOAD);
          if (handle == nullptr) return 0;
          team->parallel = reinterpret_cast<Parallel>(dlsym(handle, "GOMP_parallel"));
          if (team->parallel != nullptr) team->library = name;
          return team->parallel != nullptr ? 1 : 0;
        },
        &team);
    return team;
  }
};

struct TeamJob {
  const std::function<void(int64_t)>* body;
  int64_t items;
  std::atomic<int64_t> next{0};
  std::mutex mutex;
  std::exception_ptr error;
};

void run_team_member(void* data) {
  auto* job = static_cast<TeamJob*>(data);
  try {
    for (int64_t item; (item = job->next.fetch_add(1, std::memory_order_relaxed)) < job->items;) (*job->body)(item);
  } catch (...) {  // an exception must not unwind through OpenMP's frames
    std::lock_guard<std::mutex> lock(job->mutex);
    if (!job->error) job->error = std::current_exception();
    job->next.store(job->items);
  }
}

}  // namespace

const char* parallel_backend() {
  const OpenMpTeam& team = OpenMpTeam::instance();
  return team.parallel != nullptr ? team.library.c_str() : "own threads";
}

void parallel_for(int64_t items, int threads, const std::function<void(int64_t)>& body) {
  if (items <= 0) return;
  if (threads <= 1 || items == 1) {
    for (int64_t item = 0; item < items; ++item) body(item);
    return;
  }
  const OpenMpTeam& team = OpenMpTeam::instance();
  if (team.parallel == nullptr) {
    Pool::instance().run(items, threads, body);
    return;
  }
  TeamJob job;
  job.body = &body;
  job.items = items;
  const int64_t useful = items < threads ? items : threads;
  team.parallel(run_team_member, &job, static_cast<unsigned>(useful), 0);
  if (job.error) std::rethrow_exception(job.error);
}

}  // namespace actortrain
