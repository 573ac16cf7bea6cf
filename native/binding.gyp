{
  # Berth native addon. N-API only (no V8 API), so one binary loads in both
  # Node and Electron. Built by `npm install` (package.json "install" script:
  # node-gyp rebuild --directory native) into build/Release/berth.node.
  "targets": [
    {
      "target_name": "berth",
      "sources": [
        "src/addon.cc",
        "src/errors.cc",
        "src/peercred.cc",
        "src/nsioctl.cc",
        "src/nsinfo.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS"
      ],
      "cflags!": ["-fexceptions"],
      "cflags_cc!": ["-fexceptions", "-std=gnu++17", "-std=gnu++20", "-std=c++20"],
      "cflags": ["-Wall", "-Wextra"],
      "cflags_cc": ["-std=c++17", "-fno-exceptions"]
    }
  ]
}
