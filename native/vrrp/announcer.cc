#include "vrrp/announcer.h"

#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "socket/system_error.h"
#include "vrrp/gratuitous_arp.h"
#include "vrrp/neighbour_advert.h"

namespace vrrp {

namespace {

using ipvs::Step;
using ipvs::SystemError;

constexpr int kHopLimit = 255;  // RFC 4861 section 7.1.2: receivers drop anything else
constexpr Ipv6 kAllNodes = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

std::string Privileged(const std::string& what, int errnum) {
  return errnum == EPERM || errnum == EACCES ? what + " (needs CAP_NET_RAW)" : what;
}

void SetOption(int fd, int level, int name, const void* value, socklen_t size, const char* what) {
  if (::setsockopt(fd, level, name, value, size) != 0)
    throw SystemError(Step::kSocket, errno, std::string("setsockopt ") + what);
}

void SetInt(int fd, int level, int name, int value, const char* what) {
  SetOption(fd, level, name, &value, sizeof value, what);
}

Mac ReadEthernetAddress(int fd, const std::string& ifname) {
  ifreq request{};
  if (ifname.size() >= sizeof request.ifr_name)
    throw SystemError(Step::kSocket, ENODEV, "interface " + ifname);
  std::memcpy(request.ifr_name, ifname.data(), ifname.size());
  if (::ioctl(fd, SIOCGIFHWADDR, &request) != 0)
    throw SystemError(Step::kSocket, errno, "SIOCGIFHWADDR on " + ifname);
  if (request.ifr_hwaddr.sa_family != ARPHRD_ETHER)
    throw SystemError(Step::kSocket, EOPNOTSUPP, "interface " + ifname + " is not Ethernet");
  Mac mac{};
  std::memcpy(mac.data(), request.ifr_hwaddr.sa_data, mac.size());
  return mac;
}

// The ICMPv6 socket sends only: every type blocked on receive, so no queue fills.
void ConfigureIcmp6(int fd, const std::string& ifname, int ifindex) {
  SetOption(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname.c_str(), static_cast<socklen_t>(ifname.size()),
            "SO_BINDTODEVICE");
  SetInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, kHopLimit, "IPV6_MULTICAST_HOPS");
  SetInt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, kHopLimit, "IPV6_UNICAST_HOPS");
  SetInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex, "IPV6_MULTICAST_IF");
  SetInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP");
  icmp6_filter filter{};
  ICMP6_FILTER_SETBLOCKALL(&filter);
  SetOption(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter, "ICMP6_FILTER");
}

}  // namespace

Announcer::Announcer(const ipvs::NetnsFile& netns, const std::string& ifname) {
  try {
    {
      ipvs::ScopedNetns inside(netns);
      // Protocol 0: the socket sends ARP and receives nothing.
      packet_fd_ = ::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      if (packet_fd_ < 0)
        throw SystemError(Step::kSocket, errno, Privileged("socket(AF_PACKET, SOCK_DGRAM)", errno));
      icmp6_fd_ = ::socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
      if (icmp6_fd_ < 0) {
        icmp6_errno_ = errno;
        if (icmp6_errno_ != EAFNOSUPPORT)
          throw SystemError(Step::kSocket, icmp6_errno_,
                            Privileged("socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)", icmp6_errno_));
      }
      // Interface names resolve in the namespace the thread is in: inside, before switching back.
      ifindex_ = static_cast<int>(::if_nametoindex(ifname.c_str()));
    }
    if (ifindex_ == 0) throw SystemError(Step::kSocket, ENODEV, "interface " + ifname);
    mac_ = ReadEthernetAddress(packet_fd_, ifname);
    if (icmp6_fd_ >= 0) ConfigureIcmp6(icmp6_fd_, ifname, ifindex_);
  } catch (...) {
    if (packet_fd_ >= 0) ::close(packet_fd_);
    if (icmp6_fd_ >= 0) ::close(icmp6_fd_);
    throw;
  }
}

Announcer::~Announcer() {
  if (packet_fd_ >= 0) ::close(packet_fd_);
  if (icmp6_fd_ >= 0) ::close(icmp6_fd_);
}

void Announcer::AnnounceIpv4(const Ipv4& address) {
  const auto packet = EncodeGratuitousArp(mac_, address);
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_protocol = htons(ETH_P_ARP);
  to.sll_ifindex = ifindex_;
  to.sll_halen = static_cast<unsigned char>(mac_.size());
  std::fill(to.sll_addr, to.sll_addr + mac_.size(), 0xff);  // the Ethernet broadcast
  const ssize_t sent = ::sendto(packet_fd_, packet.data(), packet.size(), 0,
                                reinterpret_cast<const sockaddr*>(&to), sizeof to);
  if (sent < 0) throw SystemError(Step::kSend, errno, "sendto: gratuitous ARP");
}

void Announcer::AnnounceIpv6(const Ipv6& address) {
  if (icmp6_fd_ < 0)
    throw SystemError(Step::kSend, icmp6_errno_, "no ICMPv6 socket in this namespace");
  const auto message = EncodeNeighbourAdvert(mac_, address);
  sockaddr_in6 to{};
  to.sin6_family = AF_INET6;
  std::memcpy(&to.sin6_addr, kAllNodes.data(), kAllNodes.size());
  to.sin6_scope_id = static_cast<uint32_t>(ifindex_);  // ff02::1 is link-scoped
  const ssize_t sent = ::sendto(icmp6_fd_, message.data(), message.size(), 0,
                                reinterpret_cast<const sockaddr*>(&to), sizeof to);
  if (sent < 0)
    throw SystemError(Step::kSend, errno, "sendto: unsolicited neighbour advertisement");
}

}  // namespace vrrp
