{
  "targets": [
    {
      "target_name": "tcpwarden",
      "sources": ["addon.cc", "aggregate-drain.cc", "bpf-session.cc", "collector.cc", "btf-enum.cc", "libbpf-log.cc", "mount-tracefs.cc"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "../bpf",
        "../bpf/.output"
      ],
      "libraries": ["-lbpf", "-lelf", "-lz"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra"],
      "cflags_cc!": ["-fno-exceptions"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"]
    }
  ]
}
