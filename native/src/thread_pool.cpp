#include "thread_pool.hpp"

#include <atomic>
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

}  // namespace

void parallel_for(int64_t items, int threads, const std::function<void(int64_t)>& body) {
  if (items <= 0) return;
  if (threads <= 1 || items == 1) {
    for (int64_t item = 0; item < items; ++item) body(item);
    return;
  }
  Pool::instance().run(items, threads, body);
}

}  // namespace actortrain
