{
  "targets": [
    {
      "target_name": "ipvs_native",
      "sources": [
        "native/addon/addon.cc",
        "native/addon/announcer_handle.cc",
        "native/addon/client_handle.cc",
        "native/addon/constants.cc",
        "native/addon/errors.cc",
        "native/addon/inline_policy.cc",
        "native/addon/js_convert.cc",
        "native/addon/netconfig.cc",
        "native/addon/packed_net_request.cc",
        "native/addon/packed_record.cc",
        "native/addon/packed_request.cc",
        "native/addon/reply_tables.cc",
        "native/addon/vrrp_socket.cc",
        "native/addon/workers.cc",
        "native/ipvs/client.cc",
        "native/ipvs/decode.cc",
        "native/ipvs/encode.cc",
        "native/nl/reader.cc",
        "native/nl/writer.cc",
        "native/socket/exchange.cc",
        "native/socket/genl_family.cc",
        "native/socket/genl_socket.cc",
        "native/socket/netns.cc",
        "native/socket/system_error.cc",
        "native/rtnl/decode.cc",
        "native/rtnl/encode.cc",
        "native/rtnl/execute.cc",
        "native/rtnl/sysctl.cc",
        "native/vrrp/announcer.cc",
        "native/vrrp/gratuitous_arp.cc",
        "native/vrrp/neighbour_advert.cc",
        "native/vrrp/raw_socket.cc",
        "native/vrrp/raw_socket_ipv4.cc",
        "native/vrrp/raw_socket_ipv6.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "native"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
      "cflags": ["-Wall", "-Wextra", "-fvisibility=hidden"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-fvisibility=hidden"]
    }
  ]
}
