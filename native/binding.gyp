{
  # Berth native code, built by `npm install` (package.json "install" script:
  # node-gyp rebuild --directory native) into build/Release/:
  #   berth.node           the N-API addon. N-API only (no V8 API), so one
  #                        binary loads in both Node and Electron.
  #   berth-monitor        the per-container monitor (monitor/README.md): a
  #                        plain executable, libc + libstdc++ + libseccomp.
  #   berth-monitor-test   unit tests of the monitor's JSON parser, spec
  #                        decoder, log writer and framing (run by
  #                        native/monitor-unit.test.ts).
  "target_defaults": {
    "cflags!": ["-fexceptions"],
    "cflags_cc!": ["-fexceptions", "-std=gnu++17", "-std=gnu++20", "-std=c++20"],
    "cflags": ["-Wall", "-Wextra"],
    "cflags_cc": ["-std=c++17", "-fno-exceptions"]
  },
  "targets": [
    {
      "target_name": "berth",
      "sources": [
        "src/addon.cc",
        "src/args.cc",
        "src/devcg_bpf.cc",
        "src/devcg_bpf_binding.cc",
        "src/errno_name.cc",
        "src/errors.cc",
        "src/fsattr.cc",
        "src/fsattr_binding.cc",
        "src/flock_binding.cc",
        "src/inroot.cc",
        "src/inroot_binding.cc",
        "src/peercred.cc",
        "src/pidwatch_binding.cc",
        "src/sealed_exe.cc",
        "src/nsioctl.cc",
        "src/nswalk.cc",
        "src/nsinfo.cc",
        "src/statbatch.cc",
        "src/statbatch_binding.cc",
        "src/statparse.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS"
      ]
    },
    {
      "target_name": "berth-monitor",
      "type": "executable",
      "sources": [
        "src/errno_name.cc",
        "monitor/src/attach.cc",
        "monitor/src/channel.cc",
        "monitor/src/cloned_binary.cc",
        "monitor/src/container.cc",
        "monitor/src/error.cc",
        "monitor/src/exec.cc",
        "monitor/src/fileio.cc",
        "monitor/src/frame.cc",
        "monitor/src/json.cc",
        "monitor/src/log.cc",
        "monitor/src/loop.cc",
        "monitor/src/main.cc",
        "monitor/src/mountopts.cc",
        "monitor/src/loopback.cc",
        "monitor/src/overlay.cc",
        "monitor/src/pod.cc",
        "monitor/src/process.cc",
        "monitor/src/pty.cc",
        "monitor/src/rootfs.cc",
        "monitor/src/run.cc",
        "monitor/src/safepath.cc",
        "monitor/src/seccomp_compile.cc",
        "monitor/src/seccomp_filter.cc",
        "monitor/src/seccomp_profile.cc",
        "monitor/src/signals.cc",
        "monitor/src/spawner.cc",
        "monitor/src/spec.cc",
        "monitor/src/state.cc",
        "monitor/src/sys.cc",
        "monitor/src/trace.cc",
        "monitor/src/userns.cc"
      ],
      "include_dirs": ["src", "monitor/src"],
      "cflags_cc": ["-fno-rtti"],
      # Static: every container start execs the monitor twice (the sealed
      # re-exec) and its daemon; without the dynamic loader and libstdc++'s
      # relocations each exec costs a fraction. It uses nothing of glibc
      # that needs NSS or dlopen.
      # libseccomp (Debian's libseccomp-dev ships libseccomp.a) compiles
      # profiles in `seccomp-compile` mode only; the filter is installed with
      # seccomp(2) from the exported program.
      "ldflags": ["-static"],
      "libraries": ["-lseccomp"]
    },
    {
      "target_name": "berth-monitor-test",
      "type": "executable",
      "sources": [
        "src/errno_name.cc",
        "monitor/src/error.cc",
        "monitor/src/fileio.cc",
        "monitor/src/frame.cc",
        "monitor/src/json.cc",
        "monitor/src/log.cc",
        "monitor/src/mountopts.cc",
        "monitor/src/seccomp_profile.cc",
        "monitor/src/signals.cc",
        "monitor/src/spec.cc",
        "monitor/test/unit_test.cc"
      ],
      "include_dirs": ["src", "monitor/src"],
      "cflags_cc": ["-fno-rtti"]
    }
  ]
}
