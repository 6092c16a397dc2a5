// The kernel's own floor for IPVS rule churn: the messages ipvs-native sends (the same commands
// and attributes as native/ipvs/encode.cc), pre-encoded, then sent N per sendmsg on one generic
// netlink socket with NETLINK_CAP_ACK, reading every ack and checking that none failed. Only the
// send/ack loop is timed: no process start, no parsing, no encoding, no family lookup.
//
//   floor [-n PER_SENDMSG] FILE...     send each file's operations; one result line per file:
//                                      "FILE MESSAGES SENDMSGS SECONDS"
//   floor -d FAMILY_ID FILE            write the encoded messages to stdout instead (for a
//                                      byte-for-byte comparison with the library's encoder)
//   floor -l                           the listing floor: dump every service, then each one's
//                                      destinations (IPVS has no all-destinations dump), one dump
//                                      at a time on one socket, as ipvsadm and ipvs-native do;
//                                      prints "list SERVICES DESTINATIONS SECONDS"
//
// A file holds one operation a line, TCP over IPv4 (ports decimal, weights and methods too):
//   ns VIP PORT SCHED                  IPVS_CMD_NEW_SERVICE
//   ds VIP PORT                        IPVS_CMD_DEL_SERVICE
//   nd VIP PORT RIP RPORT FWD WEIGHT   IPVS_CMD_NEW_DEST   (FWD: IP_VS_CONN_F_MASQ etc.)
//   sd VIP PORT RIP RPORT FWD WEIGHT   IPVS_CMD_SET_DEST
//   dd VIP PORT RIP RPORT              IPVS_CMD_DEL_DEST
#include <arpa/inet.h>
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_MESSAGE 256
#define SOCKET_BUFFER (16 << 20)

struct buf {
  uint8_t* data;
  size_t len, cap;
};

static void die(const char* what) {
  fprintf(stderr, "floor: %s: %s\n", what, errno ? strerror(errno) : "failed");
  exit(2);
}

static void* put(struct buf* b, size_t len) {
  size_t aligned = NLA_ALIGN(len);
  if (b->len + aligned > b->cap) {
    b->cap = (b->cap + aligned) * 2;
    b->data = realloc(b->data, b->cap);
    if (!b->data) die("realloc");
  }
  void* p = b->data + b->len;
  memset(p, 0, aligned);
  b->len += aligned;
  return p;
}

static void attr(struct buf* b, uint16_t type, const void* value, size_t len) {
  struct nlattr* a = put(b, NLA_HDRLEN + len);
  a->nla_type = type;
  a->nla_len = (uint16_t)(NLA_HDRLEN + len);
  memcpy((uint8_t*)a + NLA_HDRLEN, value, len);
}

static void u8(struct buf* b, uint16_t t, uint8_t v) {
  attr(b, t, &v, sizeof v);
}
static void u16(struct buf* b, uint16_t t, uint16_t v) {
  attr(b, t, &v, sizeof v);
}
static void u32(struct buf* b, uint16_t t, uint32_t v) {
  attr(b, t, &v, sizeof v);
}

static size_t nest_begin(struct buf* b, uint16_t type) {
  size_t at = b->len;
  ((struct nlattr*)put(b, NLA_HDRLEN))->nla_type = type | NLA_F_NESTED;
  return at;
}

static void nest_end(struct buf* b, size_t at) {
  ((struct nlattr*)(b->data + at))->nla_len = (uint16_t)(b->len - at);
}

static size_t message_begin(struct buf* b, uint16_t family, uint16_t flags, uint32_t seq,
                            uint8_t cmd, uint8_t version) {
  size_t at = b->len;
  struct nlmsghdr* h = put(b, NLMSG_HDRLEN);
  h->nlmsg_type = family;
  h->nlmsg_flags = flags;
  h->nlmsg_seq = seq;
  struct genlmsghdr* g = put(b, GENL_HDRLEN);
  g->cmd = cmd;
  g->version = version;
  return at;
}

static void message_end(struct buf* b, size_t at) {
  ((struct nlmsghdr*)(b->data + at))->nlmsg_len = (uint32_t)(b->len - at);
}

static void service(struct buf* b, const char* vip, unsigned port, const char* sched) {
  uint8_t addr[16] = {0};
  if (inet_pton(AF_INET, vip, addr) != 1) die("bad service address");
  size_t n = nest_begin(b, IPVS_CMD_ATTR_SERVICE);
  u16(b, IPVS_SVC_ATTR_AF, AF_INET);
  u16(b, IPVS_SVC_ATTR_PROTOCOL, IPPROTO_TCP);
  attr(b, IPVS_SVC_ATTR_ADDR, addr, sizeof addr);
  u16(b, IPVS_SVC_ATTR_PORT, htons((uint16_t)port));
  if (sched) {  // The full entry, as NEW_SERVICE carries it: no persistence, all flags cleared.
    struct ip_vs_flags flags = {0, ~0U};
    attr(b, IPVS_SVC_ATTR_SCHED_NAME, sched, strlen(sched) + 1);
    attr(b, IPVS_SVC_ATTR_FLAGS, &flags, sizeof flags);
    u32(b, IPVS_SVC_ATTR_TIMEOUT, 0);
    u32(b, IPVS_SVC_ATTR_NETMASK, htonl(~0U));
  }
  nest_end(b, n);
}

static void dest(struct buf* b, const char* rip, unsigned port, int full, unsigned fwd,
                 unsigned weight) {
  uint8_t addr[16] = {0};
  if (inet_pton(AF_INET, rip, addr) != 1) die("bad destination address");
  size_t n = nest_begin(b, IPVS_CMD_ATTR_DEST);
  u16(b, IPVS_DEST_ATTR_ADDR_FAMILY, AF_INET);
  attr(b, IPVS_DEST_ATTR_ADDR, addr, sizeof addr);
  u16(b, IPVS_DEST_ATTR_PORT, htons((uint16_t)port));
  if (full) {
    u32(b, IPVS_DEST_ATTR_FWD_METHOD, fwd & IP_VS_CONN_F_FWD_MASK);
    u32(b, IPVS_DEST_ATTR_WEIGHT, weight);
    u8(b, IPVS_DEST_ATTR_TUN_TYPE, 0);
    u16(b, IPVS_DEST_ATTR_TUN_PORT, 0);
    u16(b, IPVS_DEST_ATTR_TUN_FLAGS, 0);
    u32(b, IPVS_DEST_ATTR_U_THRESH, 0);
    u32(b, IPVS_DEST_ATTR_L_THRESH, 0);
  }
  nest_end(b, n);
}

// Encodes one line; returns 0 for a line that is not an operation (blank).
static int encode(struct buf* b, const char* line, uint16_t family, uint32_t seq) {
  char op[4], vip[64], rip[64], sched[IP_VS_SCHEDNAME_MAXLEN];
  unsigned port, rport, fwd, weight;
  int n = sscanf(line, "%3s %63s %u", op, vip, &port);
  if (n <= 0) return 0;
  if (n != 3) die("bad line");
  const uint16_t ack = NLM_F_REQUEST | NLM_F_ACK;
  size_t m;
  if (!strcmp(op, "ns") && sscanf(line, "%*s %*s %*u %15s", sched) == 1) {
    m = message_begin(b, family, ack, seq, IPVS_CMD_NEW_SERVICE, IPVS_GENL_VERSION);
    service(b, vip, port, sched);
  } else if (!strcmp(op, "ds")) {
    m = message_begin(b, family, ack, seq, IPVS_CMD_DEL_SERVICE, IPVS_GENL_VERSION);
    service(b, vip, port, NULL);
  } else if ((!strcmp(op, "nd") || !strcmp(op, "sd")) &&
             sscanf(line, "%*s %*s %*u %63s %u %u %u", rip, &rport, &fwd, &weight) == 4) {
    uint8_t cmd = op[0] == 'n' ? IPVS_CMD_NEW_DEST : IPVS_CMD_SET_DEST;
    m = message_begin(b, family, ack, seq, cmd, IPVS_GENL_VERSION);
    service(b, vip, port, NULL);
    dest(b, rip, rport, 1, fwd, weight);
  } else if (!strcmp(op, "dd") && sscanf(line, "%*s %*s %*u %63s %u", rip, &rport) == 2) {
    m = message_begin(b, family, ack, seq, IPVS_CMD_DEL_DEST, IPVS_GENL_VERSION);
    service(b, vip, port, NULL);
    dest(b, rip, rport, 0, 0, 0);
  } else {
    errno = 0;
    die(line);
  }
  message_end(b, m);
  return 1;
}

// Encodes a whole file; `offsets` gets each message's start (and the end, after the last).
static size_t encode_file(const char* path, uint16_t family, struct buf* b, size_t** offsets) {
  FILE* f = fopen(path, "r");
  if (!f) die(path);
  char line[256];
  size_t count = 0, cap = 1024;
  *offsets = malloc(cap * sizeof **offsets);
  while (fgets(line, sizeof line, f)) {
    if (count + 2 > cap) *offsets = realloc(*offsets, (cap *= 2) * sizeof **offsets);
    if (!*offsets) die("realloc");
    (*offsets)[count] = b->len;
    count += (size_t)encode(b, line, family, (uint32_t)count + 1);
  }
  (*offsets)[count] = b->len;
  fclose(f);
  return count;
}

static int open_socket(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
  struct sockaddr_nl local = {.nl_family = AF_NETLINK};
  int one = 1, size = SOCKET_BUFFER;
  if (fd < 0 || bind(fd, (struct sockaddr*)&local, sizeof local)) die("socket");
  if (setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one)) die("NETLINK_CAP_ACK");
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) ||
      setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size)) {
    die("socket buffers");
  }
  return fd;
}

static void send_all(int fd, const void* data, size_t len) {
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (sendto(fd, data, len, 0, (struct sockaddr*)&kernel, sizeof kernel) != (ssize_t)len) {
    die("sendmsg");
  }
}

// Reads until `count` acks with sequence numbers in [first, first + count) have come; returns
// how many of them reported an error (the first one is described on stderr).
static size_t read_acks(int fd, uint32_t first, size_t count, void (*on_reply)(struct nlmsghdr*)) {
  static uint8_t in[64 << 10];
  size_t acked = 0, failed = 0;
  while (acked < count) {
    ssize_t len = recv(fd, in, sizeof in, 0);
    if (len < 0) die("recv");
    for (struct nlmsghdr* h = (struct nlmsghdr*)in; NLMSG_OK(h, (size_t)len);
         h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_seq - first >= count) continue;
      if (h->nlmsg_type != NLMSG_ERROR) {
        if (on_reply) on_reply(h);
        continue;
      }
      const struct nlmsgerr* e = NLMSG_DATA(h);
      ++acked;
      if (e->error != 0 && failed++ == 0) {
        fprintf(stderr, "floor: message %u failed: %s\n", h->nlmsg_seq, strerror(-e->error));
      }
    }
  }
  return failed;
}

static uint16_t ipvs_family;

static void on_family(struct nlmsghdr* h) {
  uint8_t* at = (uint8_t*)NLMSG_DATA(h) + GENL_HDRLEN;
  uint8_t* end = (uint8_t*)h + h->nlmsg_len;
  while (at + NLA_HDRLEN <= end) {
    struct nlattr* a = (struct nlattr*)at;
    if (a->nla_len < NLA_HDRLEN || at + a->nla_len > end) break;
    if (a->nla_type == CTRL_ATTR_FAMILY_ID) memcpy(&ipvs_family, at + NLA_HDRLEN, 2);
    at += NLA_ALIGN(a->nla_len);
  }
}

// CTRL_CMD_GETFAMILY "IPVS", once.
static uint16_t resolve_family(int fd) {
  struct buf b = {0};
  size_t m = message_begin(&b, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, 0, CTRL_CMD_GETFAMILY, 1);
  attr(&b, CTRL_ATTR_FAMILY_NAME, IPVS_GENL_NAME, sizeof IPVS_GENL_NAME);
  message_end(&b, m);
  send_all(fd, b.data, b.len);
  if (read_acks(fd, 0, 1, on_family) != 0 || ipvs_family == 0) {
    fprintf(stderr, "floor: no IPVS generic netlink family (is ip_vs loaded?)\n");
    exit(2);
  }
  free(b.data);
  return ipvs_family;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

// Sends one dump request and reads its parts until NLMSG_DONE, handing each part to `on_part`.
static void dump(int fd, const void* request, size_t len, uint32_t seq,
                 void (*on_part)(struct nlmsghdr*)) {
  static uint8_t in[1 << 20];
  send_all(fd, request, len);
  for (;;) {
    ssize_t got = recv(fd, in, sizeof in, 0);
    if (got < 0) die("recv");
    for (struct nlmsghdr* h = (struct nlmsghdr*)in; NLMSG_OK(h, (size_t)got);
         h = NLMSG_NEXT(h, got)) {
      if (h->nlmsg_seq != seq) continue;
      if (h->nlmsg_type == NLMSG_DONE) return;
      if (h->nlmsg_type == NLMSG_ERROR) {
        errno = -((struct nlmsgerr*)NLMSG_DATA(h))->error;
        die("dump");
      }
      on_part(h);
    }
  }
}

// The GET_DEST requests for the services listed so far, one message each, back to back.
static struct buf dest_requests;
static size_t listed_services, listed_dests;

// A service of the dump: its key (family, protocol, address, port, fwmark) becomes a GET_DEST.
static void on_service(struct nlmsghdr* h) {
  uint8_t* at = (uint8_t*)NLMSG_DATA(h) + GENL_HDRLEN;
  uint8_t* end = (uint8_t*)h + h->nlmsg_len;
  struct nlattr* nest = (struct nlattr*)at;
  if (at + NLA_HDRLEN > end || (nest->nla_type & NLA_TYPE_MASK) != IPVS_CMD_ATTR_SERVICE) return;
  size_t m = message_begin(&dest_requests, ipvs_family, NLM_F_REQUEST | NLM_F_DUMP,
                           (uint32_t)listed_services + 2, IPVS_CMD_GET_DEST, IPVS_GENL_VERSION);
  size_t n = nest_begin(&dest_requests, IPVS_CMD_ATTR_SERVICE);
  uint8_t* inner = at + NLA_HDRLEN;
  uint8_t* inner_end = at + nest->nla_len < end ? at + nest->nla_len : end;
  while (inner + NLA_HDRLEN <= inner_end) {
    struct nlattr* a = (struct nlattr*)inner;
    if (a->nla_len < NLA_HDRLEN || inner + a->nla_len > inner_end) break;
    switch (a->nla_type & NLA_TYPE_MASK) {
      case IPVS_SVC_ATTR_AF:
      case IPVS_SVC_ATTR_PROTOCOL:
      case IPVS_SVC_ATTR_ADDR:
      case IPVS_SVC_ATTR_PORT:
      case IPVS_SVC_ATTR_FWMARK:
        attr(&dest_requests, a->nla_type, inner + NLA_HDRLEN, a->nla_len - NLA_HDRLEN);
    }
    inner += NLA_ALIGN(a->nla_len);
  }
  nest_end(&dest_requests, n);
  message_end(&dest_requests, m);
  listed_services++;
}

static void on_dest(struct nlmsghdr* h) {
  (void)h;
  listed_dests++;  // The kernel sends one destination per message.
}

static int list_floor(void) {
  int fd = open_socket();
  resolve_family(fd);
  struct buf request = {0};
  double start = now();
  size_t m = message_begin(&request, ipvs_family, NLM_F_REQUEST | NLM_F_DUMP, 1,
                           IPVS_CMD_GET_SERVICE, IPVS_GENL_VERSION);
  message_end(&request, m);
  dump(fd, request.data, request.len, 1, on_service);
  for (size_t at = 0, i = 0; at < dest_requests.len; i++) {
    struct nlmsghdr* h = (struct nlmsghdr*)(dest_requests.data + at);
    dump(fd, h, h->nlmsg_len, (uint32_t)i + 2, on_dest);
    at += NLMSG_ALIGN(h->nlmsg_len);
  }
  double seconds = now() - start;
  printf("list %zu %zu %.9f\n", listed_services, listed_dests, seconds);
  close(fd);
  return 0;
}

int main(int argc, char** argv) {
  size_t per_sendmsg = 1000;
  long dump_family = -1;
  int opt;
  while ((opt = getopt(argc, argv, "n:d:l")) != -1) {
    if (opt == 'n') per_sendmsg = strtoul(optarg, NULL, 10);
    if (opt == 'd') dump_family = strtol(optarg, NULL, 0);
    if (opt == 'l') return list_floor();
    if (opt == '?' || per_sendmsg == 0) return 2;
  }
  if (dump_family >= 0) {
    struct buf b = {0};
    size_t* offsets;
    encode_file(argv[optind], (uint16_t)dump_family, &b, &offsets);
    return fwrite(b.data, 1, b.len, stdout) == b.len ? 0 : 2;
  }
  int fd = open_socket();
  uint16_t family = resolve_family(fd);
  int status = 0;
  for (int i = optind; i < argc; i++) {
    struct buf b = {0};
    size_t* offsets;
    size_t count = encode_file(argv[i], family, &b, &offsets), sendmsgs = 0, failed = 0;
    double start = now();
    for (size_t at = 0; at < count; at += per_sendmsg, sendmsgs++) {
      size_t n = count - at < per_sendmsg ? count - at : per_sendmsg;
      send_all(fd, b.data + offsets[at], offsets[at + n] - offsets[at]);
      failed += read_acks(fd, (uint32_t)at + 1, n, NULL);
    }
    double seconds = now() - start;
    printf("%s %zu %zu %.9f\n", argv[i], count, sendmsgs, seconds);
    if (failed) {
      fprintf(stderr, "floor: %s: %zu of %zu operations failed\n", argv[i], failed, count);
      status = 1;
    }
    free(b.data);
    free(offsets);
  }
  close(fd);
  return status;
}
