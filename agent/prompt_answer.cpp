// Reading an askpass answer as a yes/no confirmation or as a passphrase.
#include "agent/prompt_answer.hpp"

#include <algorithm>
#include <string_view>

namespace latchkey::agent {

bool confirmation_allowed(const PromptAnswer& answer) noexcept
{
    if (answer.exit_status != 0)
        return false;
    auto output = answer.output.view();
    if (output.empty() || (output.size() == 1 && output[0] == '\n'))
        return true;
    constexpr std::string_view yes = "yes";
    if (output.size() < yes.size())
        return false;
    for (std::size_t i = 0; i < yes.size(); ++i)
        if ((output[i] | 0x20) != yes[i])
            return false;
    return true;
}

std::optional<SecretBytes> passphrase_from(const PromptAnswer& answer)
{
    if (answer.exit_status != 0)
        return std::nullopt;
    auto output = answer.output.view();
    auto end = std::find_if(output.begin(), output.end(), [](std::uint8_t c) { return c == '\n' || c == '\r'; });
    return SecretBytes(output.first(static_cast<std::size_t>(end - output.begin())));
}

}  // namespace latchkey::agent
