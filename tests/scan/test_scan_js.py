"""The JavaScript/TypeScript reader (issue 15): snippets written for these tests in the shape of
transformers.js, @huggingface/inference and @huggingface/hub code (never copied from a project).
Decoys carry "decoy" in their names and must never be reported."""

from __future__ import annotations

import snippets

from clearance.scan import scan_path
from clearance.scan.jsfile import scan_js, scan_script_parts, tokens
from clearance.scan.walk import file_type


def found(text: str, reader=scan_js) -> set[tuple[str, str, str]]:
    return snippets.found(reader, text, "f.js")


def ids(text: str, reader=scan_js) -> set[str]:
    return snippets.ids(reader, text, "f.js")


def test_transformers_js_calls():
    text = (
        'import { pipeline, AutoTokenizer, AutoModel } from "@huggingface/transformers";\n'
        'const clf = await pipeline("sentiment-analysis", "acme/sst2-small", { dtype: "q4" });\n'
        "const tok = await AutoTokenizer.from_pretrained('acme/tok-base');\n"
        "const legacy = await pipeline('fill-mask', 'bert-base-uncased');\n"
        'const model = await AutoModel.from_pretrained(\n  "acme/vision-tiny",\n  { device: "webgpu" },\n);\n'
    )
    assert ids(text) == {"acme/sst2-small", "acme/tok-base", "bert-base-uncased", "acme/vision-tiny"}


def test_names_fed_to_calls_and_key_named_constants():
    text = (
        "class Worker {\n  static task = 'text-generation';\n  static model_id = 'acme/chat-1b';\n"
        "  static get() { return pipeline(this.task, this.model_id); }\n}\n"
        "const checkpoint = 'acme/caption-base';\n"
        "const cap = await Caption.from_pretrained(checkpoint);\n"
        "const MODEL_ID: string = \"acme/music-small\";\n"
        "const model = process.env.MODEL ?? 'acme/router-default';\n"
        "const unrelated = 'decoy/not-a-model-name';\n"
    )
    assert ids(text) == {"acme/chat-1b", "acme/caption-base", "acme/music-small", "acme/router-default"}


def test_comments_and_strings_in_comments_are_skipped():
    text = (
        "// pipeline('x', 'decoy/line-comment')\n"
        "/* const MODEL_ID = 'decoy/block-comment'; */\n"
        "const re = /model: 'decoy\\/regex'/g;\n"
        "const t = pipeline('asr', 'acme/asr-base'); // or 'decoy/alternative'\n"
    )
    assert ids(text) == {"acme/asr-base"}


def test_inference_options_and_model_lists():
    text = (
        "const hf = new InferenceClient(token);\n"
        "await hf.textGeneration({ model: 'acme/gen-7b', inputs: 'hi' });\n"
        "await hf.chatCompletion({ model: cond ? 'acme/chat-a' : 'acme/chat-b', messages });\n"
        "export const MODELS: ModelConfig[] = [\n  { id: 'acme/list-one', name: 'One' },\n  { id: 'acme/list-two' },\n];\n"
        "const PINNED_MODELS = ['acme/pinned-a', 'acme/pinned-b'];\n"
        "const models = { 'acme/sizes-a': [41, 152], 'acme/sizes-b': [77] };\n"
        "const zones = ['Europe/London', 'audio/webm'];\n"
        "const labels = { 'decoy/label': 1 };\n"
        "const config = { dataset: 'acme/corpus', hub_model_id: 'acme/published' };\n"
    )
    got = found(text)
    assert {i for i, _, _ in got} == {
        "acme/gen-7b", "acme/chat-a", "acme/chat-b", "acme/list-one", "acme/list-two", "acme/pinned-a",
        "acme/pinned-b", "acme/sizes-a", "acme/sizes-b", "acme/corpus", "acme/published"}
    assert ("acme/corpus", "dataset", "used") in got
    assert ("acme/published", "model", "produced") in got


def test_hub_library_repo_kind_and_role():
    text = (
        "await downloadFile({ repo: 'acme/weights', path: 'config.json' });\n"
        "await downloadFile({ repo: { type: 'dataset', name: 'acme/table' }, path: 'a.csv' });\n"
        "await listFiles({ repo: 'datasets/acme/prefixed' });\n"
        "await uploadFiles({ repo: 'acme/my-upload', files });\n"
        "await createRepo({ repo: { type: 'space', name: 'acme/decoy-space' } });\n"
        "await downloadFile(hash, 'decoy/local-helper');\n"
    )
    assert found(text) == {
        ("acme/weights", "model", "used"), ("acme/table", "dataset", "used"),
        ("acme/prefixed", "dataset", "used"), ("acme/my-upload", "model", "produced")}


def test_urls():
    text = (
        '<a href="https://huggingface.co/acme/card-link">card</a>\n'
        "const img = 'https://huggingface.co/datasets/acme/samples/resolve/main/cat.png';\n"
        "const url = `https://huggingface.co/datasets/acme/audio/resolve/main/${name}.wav`;\n"
        "const part = `https://huggingface.co/acme/${decoy}`;\n"
        "fetch('https://huggingface.co/api/whoami-v2'); fetch('https://huggingface.co/uploads');\n"
        "const docs = 'https://huggingface.co/docs/transformers.js';\n"
    )
    assert found(text) == {("acme/card-link", "model", "used"), ("acme/samples", "dataset", "used"),
                           ("acme/audio", "dataset", "used")}


def test_placeholder_and_test_ids_are_not_references():
    text = "const MODEL_ID = 'test-org/test-model';\nconst m = { model: 'test/model' };\n"
    assert ids(text) == set()


def test_jsx_text_with_apostrophes_does_not_derail():
    text = (
        "export default function App() {\n"
        "  return <p>Don't worry, it's fine</p>;\n"
        "}\n"
        "const t = pipeline('asr', 'acme/after-jsx');\n"
    )
    assert ids(text) == {"acme/after-jsx"}


def test_regex_and_division_are_told_apart():
    assert [t.kind for t in tokens("a = b / c / d;")].count("regex") == 0
    assert [t.text for t in tokens("x = /a\\/b[/]/g;") if t.kind == "regex"] == ["/a\\/b[/]/g"]


def test_svelte_and_vue_read_only_script_parts_at_their_lines(tmp_path):
    (tmp_path / "App.svelte").write_text(
        "<script lang=\"ts\">\n  const MODEL_ID = 'acme/svelte-model';\n</script>\n"
        "<p>const MODEL_ID = 'decoy/markup';</p>\n")
    (tmp_path / "App.vue").write_text(
        "<template><div/></template>\n<script setup>\nconst embed_model = 'acme/vue-embed';\n</script>\n")
    report = scan_path(tmp_path)
    assert {(r.id, r.file, r.line) for r in report.references} == {
        ("acme/svelte-model", "App.svelte", 2), ("acme/vue-embed", "App.vue", 3)}


def test_file_types_and_lines(tmp_path):
    for name in ("a.js", "b.mjs", "c.cjs", "d.jsx", "e.ts", "f.tsx"):
        assert file_type(name) == "javascript"
    assert file_type("env.js") == "javascript"
    (tmp_path / "w.ts").write_text("\n\nconst gen = await pipeline(\n  'text-generation',\n  'acme/lined',\n);\n")
    report = scan_path(tmp_path)
    assert [(r.id, r.line, r.via) for r in report.references] == [("acme/lined", 5, "transformers.js pipeline")]


def test_bad_input_never_raises():
    for text in ("`unterminated", "'open", "/* open", "((((", "}}}", "const x = /[/", "\u00e9\u0000"):
        found(text)
        found(text, scan_script_parts)


def test_a_template_url_is_read_only_when_its_repository_is_whole():
    text = (
        "const a = `https://huggingface.co/datasets/acme/audio-set/resolve/main/${file}`;\n"
        "const b = `https://huggingface.co/acme/tts-small/${file}`;\n"
        "const c = `hf://datasets/decoy-org/${name}`;\n"
        "const d = `https://huggingface.co/decoy-org/${name}`;\n"
    )
    assert found(text) == {("acme/audio-set", "dataset", "used"), ("acme/tts-small", "model", "used")}


def test_object_keys_are_ids_only_where_the_config_readers_take_them():
    """Quoted org/name keys count under the names keys.lists_ids_as_keys allows (as in YAML and
    JSON), and in an object named just `models` (a per-model table); never under a hosted
    service's name or a name for local runs."""
    text = (
        "const models = { 'acme/sizes-a': [41, 152], 'acme/sizes-b': [77] };\n"
        "const dataset_mixer = { 'acme/mix-a': 0.7, 'acme/mix-b': 0.3 };\n"
        "const evalDatasets = { 'acme/eval-set': { split: 'test' } };\n"
        "const OPENROUTER_MODELS = { 'decoy-lab/served-elsewhere': { context: 8192 } };\n"
        "const settings = { ollama: { models: { 'decoy-library/local-tag': { size: 4 } } } };\n"
        "const checkpoints = { 'decoy-runs/step-100': 0.5 };\n"
        "const OLLAMA_MODELS = ['decoy-lab/listed-elsewhere'];\n"
    )
    assert found(text) == {
        ("acme/sizes-a", "model", "used"), ("acme/sizes-b", "model", "used"), ("acme/mix-a", "dataset", "used"),
        ("acme/mix-b", "dataset", "used"), ("acme/eval-set", "dataset", "used")}


def test_a_hub_url_string_is_kept_once():
    """A string that is a whole Hub URL is one hit, by its position when that reads it (call
    argument, key, list item), else as a URL; not both."""
    text = (
        "const asr = await pipeline('asr', 'https://huggingface.co/acme/url-arg');\n"
        "const MODEL_ID = 'https://huggingface.co/acme/url-const';\n"
        "const PINNED_MODELS = ['https://huggingface.co/acme/url-item'];\n"
        "const link = 'https://huggingface.co/acme/url-plain';\n"
        "render(<a href=\"https://huggingface.co/datasets/acme/url-jsx\">data</a>);\n"
    )
    hits = snippets.collect(scan_js, text, "f.js").hits
    assert sorted((h.line, h.id, h.kind) for h in hits) == [
        (1, "acme/url-arg", "model"), (2, "acme/url-const", "model"), (3, "acme/url-item", "model"),
        (4, "acme/url-plain", "model"), (5, "acme/url-jsx", "dataset")]
    assert [h.via for h in sorted(hits, key=lambda h: h.line)][:3] == [
        "transformers.js pipeline", "JS key MODEL_ID", "JS list PINNED_MODELS"]
