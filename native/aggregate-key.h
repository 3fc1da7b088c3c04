// Which key an aggregation map has (bpf/tcpwarden.h): the session names its maps by it and the
// drain rebuilds records by it.
#pragma once

enum class AggregateKey {
  kShort,  // struct tw_agg_key: no socket, no task
  kWide,   // struct tw_agg_wide_key: a `keep` with the socket or the task
};
