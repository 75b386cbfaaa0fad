// The worker's process spawner: posix_spawn(3) for command and script tasks.
//
// Node's child_process forks the whole worker (libuv: fork + exec), so every task pays for copying
// the worker's page tables and, in the child, for faulting them back in before exec: about 1.7 ms of
// CPU per `true` on this project's 2-core bench machine. glibc's posix_spawn uses clone(CLONE_VM |
// CLONE_VFORK): the child borrows the parent's memory until it execs, and the same spawn costs about
// 0.7 ms (docs/benchmarks.md, "Spawning").
//
// What a task's process gets is what worker/src/runners/process-task.ts documents for the
// child_process path: a session (and so a process group) of its own, stdin on /dev/null, stdout and
// stderr on one pipe, exactly the environment given, the working directory given, default signal
// dispositions and an empty signal mask. The exit is watched through a pidfd polled on Node's own
// event loop, and the child is reaped with waitid(P_PIDFD): no SIGCHLD handler, and libuv's own
// child watcher (which waits for its own pids only) is left alone.
//
// JS API (worker/src/runners/native-spawn.ts wraps it):
//   spawn(file, args, env, cwd, onExit) -> [pid, outputFd] | -errno
//     file: a path, or a name searched in env's PATH (as execvp would); args: argv, args[0] included;
//     env: "NAME=value" strings; cwd: a directory or null; onExit(code, signal): exactly one of them
//     is a number, called once, after the child has been reaped.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

typedef struct {
  uv_poll_t poll;
  int pidfd;
  napi_env env;
  napi_ref on_exit;
  napi_async_context context;
} child_t;

// ---- arguments ------------------------------------------------------------------------------

static char *copy_string(napi_env env, napi_value value) {
  size_t length;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) return NULL;
  char *s = malloc(length + 1);
  if (s) napi_get_value_string_utf8(env, value, s, length + 1, &length);
  return s;
}

static void free_strings(char **list) {
  if (!list) return;
  for (char **p = list; *p; p++) free(*p);
  free(list);
}

// A NULL-terminated copy of a JS array of strings; NULL if it is not one.
static char **copy_strings(napi_env env, napi_value array) {
  uint32_t n;
  if (napi_get_array_length(env, array, &n) != napi_ok) return NULL;
  char **list = calloc(n + 1, sizeof(char *));
  if (!list) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    napi_get_element(env, array, i, &item);
    if (!(list[i] = copy_string(env, item))) {
      free_strings(list);
      return NULL;
    }
  }
  return list;
}

// ---- PATH search, as execvp does it but in the task's environment ---------------------------

static const char *path_of(char **env) {
  for (char **p = env; *p; p++)
    if (strncmp(*p, "PATH=", 5) == 0) return *p + 5;
  return DEFAULT_PATH;
}

// Fills `out` with the program to exec: `file` itself when it holds a '/', else the first regular,
// executable `dir/file` along PATH. Returns 0, ENOENT, EACCES (found, but not executable) or
// ENAMETOOLONG.
static int find_program(const char *file, char **env, char *out, size_t size) {
  if (strchr(file, '/')) {
    if (strlen(file) >= size) return ENAMETOOLONG;
    strcpy(out, file);
    return 0;
  }
  if (*file == '\0') return ENOENT;
  int denied = 0;
  const char *dir = path_of(env);
  for (;;) {
    const char *end = strchrnul(dir, ':');
    size_t length = (size_t)(end - dir);
    // An empty entry is the working directory, as for execvp.
    int n = length == 0 ? snprintf(out, size, "%s", file) : snprintf(out, size, "%.*s/%s", (int)length, dir, file);
    if (n > 0 && (size_t)n < size) {
      struct stat st;
      if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
        if (access(out, X_OK) == 0) return 0;
        denied = 1;
      }
    }
    if (*end == '\0') break;
    dir = end + 1;
  }
  return denied ? EACCES : ENOENT;
}

// ---- exit ------------------------------------------------------------------------------------

static void on_closed(uv_handle_t *handle) {
  child_t *child = handle->data;
  close(child->pidfd);
  free(child);
}

static void on_pidfd(uv_poll_t *poll, int status, int events) {
  child_t *child = poll->data;
  siginfo_t info;
  memset(&info, 0, sizeof info);
  if (waitid(P_PIDFD, child->pidfd, &info, WEXITED | WNOHANG) != 0) {
    if (errno == EINTR || errno == EAGAIN) return;
    // ECHILD: reaped by someone else (a SIGCHLD set to SIG_IGN); nothing more is known.
    info.si_code = CLD_KILLED;
    info.si_status = SIGKILL;
  } else if (info.si_pid == 0) {
    return;  // not yet exited
  }
  uv_poll_stop(poll);

  napi_env env = child->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value callback, receiver, argv[2];
  napi_get_reference_value(env, child->on_exit, &callback);
  napi_get_global(env, &receiver);
  if (info.si_code == CLD_EXITED) {
    napi_create_int32(env, info.si_status, &argv[0]);
    napi_get_null(env, &argv[1]);
  } else {
    napi_get_null(env, &argv[0]);
    napi_create_int32(env, info.si_status, &argv[1]);
  }
  if (napi_make_callback(env, child->context, receiver, callback, 2, argv, NULL) == napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
  napi_delete_reference(env, child->on_exit);
  napi_async_destroy(env, child->context);
  napi_close_handle_scope(env, scope);
  uv_close((uv_handle_t *)poll, on_closed);
}

// ---- spawn -----------------------------------------------------------------------------------

static napi_value errno_value(napi_env env, int error) {
  napi_value value;
  napi_create_int32(env, -error, &value);
  return value;
}

static int start(const char *program, char **argv, char **env, const char *cwd, int output, pid_t *pid) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  sigset_t none, all;
  int error = posix_spawn_file_actions_init(&actions);
  if (error) return error;
  if ((error = posix_spawnattr_init(&attributes))) {
    posix_spawn_file_actions_destroy(&actions);
    return error;
  }
  sigemptyset(&none);
  sigfillset(&all);
  if (!(error = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)) &&
      !(error = posix_spawn_file_actions_adddup2(&actions, output, 1)) &&
      !(error = posix_spawn_file_actions_adddup2(&actions, output, 2)) &&
      !(error = cwd ? posix_spawn_file_actions_addchdir_np(&actions, cwd) : 0) &&
      !(error = posix_spawnattr_setsigmask(&attributes, &none)) &&
      // The worker ignores SIGPIPE (Node does); an ignored signal would stay ignored across exec.
      !(error = posix_spawnattr_setsigdefault(&attributes, &all)) &&
      !(error = posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID))) {
    error = posix_spawn(pid, program, &actions, &attributes, argv, env);
  }
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  return error;
}

static napi_value Spawn(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value args[5];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  napi_valuetype cwd_type, callback_type;
  napi_typeof(env, args[3], &cwd_type);
  napi_typeof(env, args[4], &callback_type);
  if (argc < 5 || callback_type != napi_function) {
    napi_throw_type_error(env, NULL, "spawn(file, args, env, cwd, onExit)");
    return NULL;
  }

  char *file = copy_string(env, args[0]);
  char **argv = copy_strings(env, args[1]);
  char **envp = copy_strings(env, args[2]);
  char *cwd = cwd_type == napi_string ? copy_string(env, args[3]) : NULL;
  char program[4096];
  int pipe_fds[2] = {-1, -1};
  pid_t pid = 0;
  int error;
  if (!file || !argv || !envp || (cwd_type == napi_string && !cwd)) error = EINVAL;
  else if ((error = find_program(file, envp, program, sizeof program))) {
  } else if (pipe2(pipe_fds, O_CLOEXEC) != 0) error = errno;
  else error = start(program, argv, envp, cwd, pipe_fds[1], &pid);
  free(file);
  free_strings(argv);
  free_strings(envp);
  free(cwd);
  if (pipe_fds[1] >= 0) close(pipe_fds[1]);
  if (error) {
    if (pipe_fds[0] >= 0) close(pipe_fds[0]);
    return errno_value(env, error);
  }

  child_t *child = calloc(1, sizeof *child);
  uv_loop_t *loop;
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (!child || pidfd < 0 || napi_get_uv_event_loop(env, &loop) != napi_ok || uv_poll_init(loop, &child->poll, pidfd) != 0) {
    // Started, but cannot be watched: it must not run unwatched.
    error = pidfd < 0 ? errno : ENOMEM;
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    if (pidfd >= 0) close(pidfd);
    free(child);
    close(pipe_fds[0]);
    return errno_value(env, error);
  }
  child->pidfd = pidfd;
  child->env = env;
  child->poll.data = child;
  napi_value name;
  napi_create_string_utf8(env, "cronfleet.spawn", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &child->context);
  napi_create_reference(env, args[4], 1, &child->on_exit);
  uv_poll_start(&child->poll, UV_READABLE, on_pidfd);

  napi_value result, value;
  napi_create_array_with_length(env, 2, &result);
  napi_create_int32(env, pid, &value);
  napi_set_element(env, result, 0, value);
  napi_create_int32(env, pipe_fds[0], &value);
  napi_set_element(env, result, 1, value);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value spawn;
  napi_create_function(env, "spawn", NAPI_AUTO_LENGTH, Spawn, NULL, &spawn);
  napi_set_named_property(env, exports, "spawn", spawn);
  return exports;
}
