#include "member_source.h"

#include <algorithm>
#include <cstring>

#include "display_name.h"

namespace odscan::engine {

StreamMemberSource::StreamMemberSource(std::span<const std::uint8_t> stream,
                                       std::string_view containerName)
    : stream_(stream), name_(rawStreamMemberName(containerName)) {}

NextMember StreamMemberSource::next() {
  NextMember next;
  if (returned_) return next;
  returned_ = true;
  next.kind = NextMember::Kind::kMember;
  next.header.name = name_;
  return next;
}

MemberRead StreamMemberSource::read(std::span<std::uint8_t> into) {
  MemberRead result;
  result.bytes = std::min(into.size(), stream_.size() - position_);
  if (result.bytes > 0) std::memcpy(into.data(), stream_.data() + position_, result.bytes);
  position_ += result.bytes;
  return result;
}

std::optional<std::span<const std::uint8_t>> StreamMemberSource::wholeMember(
    std::uint64_t maxAllocation) {
  (void)maxAllocation;  // the stream is in memory already
  return stream_;
}

}  // namespace odscan::engine
