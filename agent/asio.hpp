// Boost.Asio, included the way every Boost the project supports compiles it under GCC 12 in C++20.
#pragma once

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio.hpp>
