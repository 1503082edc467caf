// Key files read in bounded chunks: into locked memory for private keys, into a string for public ones.
#include "agent/key_file_reading.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace latchkey::agent {

namespace {

Error read_error(const std::string& path)
{
    std::error_code code;
    if (!std::filesystem::exists(path, code))
        return Error(ErrorCode::malformed, "cannot read " + path + ": No such file or directory");
    return Error(ErrorCode::malformed, "cannot read " + path + ": " + std::strerror(errno));
}

}  // namespace

Result<SecretBytes> read_key_file_bytes(const std::string& path)
{
    std::error_code code;
    if (std::filesystem::is_directory(path, code))
        return fail(Error(ErrorCode::malformed, "cannot read " + path + ": Is a directory"));
    std::ifstream file(path, std::ios::binary);
    if (!file)
        return fail(read_error(path));
    SecretBytes contents;
    std::uint8_t chunk[4096];
    while (file.read(reinterpret_cast<char*>(chunk), sizeof chunk) || file.gcount() > 0) {
        contents.append(std::span<const std::uint8_t>(chunk, static_cast<std::size_t>(file.gcount())));
        if (contents.size() > max_key_file_size) {
            secure_wipe(chunk, sizeof chunk);
            return fail(Error(ErrorCode::malformed, path + " is larger than 1 MiB, not a key file"));
        }
    }
    secure_wipe(chunk, sizeof chunk);
    if (file.bad())
        return fail(read_error(path));
    return contents;
}

Result<std::string> read_text_file(const std::string& path)
{
    std::ifstream file(path, std::ios::binary);
    if (!file)
        return fail(read_error(path));
    std::string text;
    char chunk[4096];
    while (file.read(chunk, sizeof chunk) || file.gcount() > 0) {
        text.append(chunk, static_cast<std::size_t>(file.gcount()));
        if (text.size() > max_key_file_size)
            return fail(Error(ErrorCode::malformed, path + " is larger than 1 MiB, not a public key file"));
    }
    return text;
}

}  // namespace latchkey::agent
