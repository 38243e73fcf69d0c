-- Shared by the fold and sweep scripts (prepended to each when loaded,
-- see fold.rs): a key template split at its last '{}' (the prefix before
-- it may hold braces), as a function of the id that goes there.
local function template(text)
  local at, last = nil, 0
  repeat
    last = string.find(text, '{}', last + 1, true)
    if last then at = last end
  until not last
  local head, tail = string.sub(text, 1, at - 1), string.sub(text, at + 2)
  return function(id) return head .. id .. tail end
end
