// Expected<T, E>: a value or a closed error — the error model of protocol/ and agent/.
#pragma once

#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace latchkey {

// The error half of an Expected, made by fail().
template <class E>
struct Unexpected {
    E error;
};

template <class E>
Unexpected<std::decay_t<E>> fail(E&& error)
{
    return {std::forward<E>(error)};
}

// A value of T or an error of E. Accessing the wrong half is a programming error (asserted by std::get).
template <class T, class E>
class [[nodiscard]] Expected {
public:
    Expected(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    template <class F>
        requires std::is_constructible_v<E, F>
    Expected(Unexpected<F> error) : state_(std::in_place_index<1>, E(std::move(error.error)))
    {
    }

    bool has_value() const { return state_.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() & { return std::get<0>(state_); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const E& error() const { return std::get<1>(state_); }

private:
    std::variant<T, E> state_;
};

// Success with nothing to return, or an error of E.
template <class E>
class [[nodiscard]] Expected<void, E> {
public:
    Expected() = default;
    template <class F>
        requires std::is_constructible_v<E, F>
    Expected(Unexpected<F> error) : error_(E(std::move(error.error)))
    {
    }

    bool has_value() const { return !error_.has_value(); }
    explicit operator bool() const { return has_value(); }
    const E& error() const { return *error_; }

private:
    std::optional<E> error_;
};

}  // namespace latchkey

#define LATCHKEY_CONCAT_INNER(a, b) a##b
#define LATCHKEY_CONCAT(a, b) LATCHKEY_CONCAT_INNER(a, b)

// LATCHKEY_TRY(auto x, expr): evaluates expr (an Expected); on error returns it from the enclosing
// function, otherwise moves the value into the declaration `auto x`.
#define LATCHKEY_TRY(declaration, expression)                                        \
    auto LATCHKEY_CONCAT(latchkey_try_, __LINE__) = (expression);                    \
    if (!LATCHKEY_CONCAT(latchkey_try_, __LINE__))                                   \
        return ::latchkey::fail(LATCHKEY_CONCAT(latchkey_try_, __LINE__).error());   \
    declaration = std::move(*LATCHKEY_CONCAT(latchkey_try_, __LINE__))

// LATCHKEY_CHECK(expr): evaluates an Expected<void, E> (or any Expected) and returns its error if any.
#define LATCHKEY_CHECK(expression)                                                   \
    do {                                                                             \
        auto latchkey_check_result = (expression);                                   \
        if (!latchkey_check_result)                                                  \
            return ::latchkey::fail(latchkey_check_result.error());                  \
    } while (false)
