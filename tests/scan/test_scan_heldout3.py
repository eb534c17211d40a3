"""What `clearance scan` missed or got wrong on the third held-out round of issue 15
(bench/scan_truth/heldout3-*.json), each as a small snippet written for these tests in the shape
of what was found there (never copied). Each fix has a case that fails on the scanner before it;
the guards pass both ways and keep the fixes from going too far."""

from __future__ import annotations

from snippets import found, ids

from clearance.scan.collect import Collector
from clearance.scan.pyfile import scan_python
from clearance.scan.yamlfile import scan_yaml


# -- run configurations whose `commands:` list is shell ----------------------------------------
def test_commands_lists_are_read_as_shell():
    text = (
        "type: task\n"
        "env:\n"
        "  - MODEL_ID=acme/base-7b\n"
        "commands:\n"
        "  - pip install trl\n"
        "  - python train.py\n"
        "    --model_name_or_path $MODEL_ID\n"
        "    --dataset_name acme/chat-pairs\n"
        "    --output_dir out\n"
        "  - |\n"
        "    pip install huggingface_hub\n"
        "    hf download acme/video-gen --local-dir /cache/video-gen\n"
    )
    got = found(scan_yaml, text)
    assert ("acme/chat-pairs", "dataset", "used") in got
    assert "acme/video-gen" in {i for i, _, _ in got}
    assert "acme/base-7b" in {i for i, _, _ in got}


def test_cmds_of_a_taskfile_are_shell_too():
    assert "acme/eval-set" in ids(scan_yaml, "tasks:\n  eval:\n    cmds:\n      - python eval.py --dataset_name acme/eval-set\n")


def test_a_commands_key_with_prose_reports_nothing():
    assert ids(scan_yaml, "commands:\n  - echo see the docs/index page for help\n") == set()


# -- diffusers' load_ip_adapter ------------------------------------------------------------------
def test_load_ip_adapter_names_a_model():
    text = (
        "from diffusers import StableDiffusionXLPipeline\n"
        "pipe = StableDiffusionXLPipeline.from_pretrained('acme/sdxl-base')\n"
        "pipe.load_ip_adapter('acme/ip-adapter', subfolder='sdxl_models', weight_name='ip.bin')\n"
    )
    assert ids(scan_python, text) == {"acme/sdxl-base", "acme/ip-adapter"}


# -- a push target built from the base model's name is not the base model ------------------------
_ARGV_DEFAULT = (
    "import sys\n"
    "from sentence_transformers import SentenceTransformer\n"
    "model_name = sys.argv[1] if len(sys.argv) > 1 else 'roberta-base'\n"
    "model = SentenceTransformer(model_name)\n"
    "model.push_to_hub(f'{model_name}-nli-v1')\n"
)


def test_a_bare_base_model_stays_when_the_push_target_only_starts_with_it():
    assert ("roberta-base", "model", "used") in found(scan_python, _ARGV_DEFAULT)


def test_a_whole_path_component_placeholder_is_still_the_projects_own_output():
    text = (
        "from transformers import AutoModel\n"
        "run_name = 'tiny-run'\n"
        "model = AutoModel.from_pretrained(run_name)\n"
        "model.save_pretrained(f'outputs/{run_name}')\n"
    )
    assert ids(scan_python, text) == set()


# -- a name rewritten from itself has no known constant value after the rewrite ------------------
def test_a_name_rewritten_from_itself_is_not_filled_into_later_templates():
    text = (
        "from sentence_transformers import SentenceTransformer\n"
        "model_name = 'acme/embedder-base'\n"
        "model = SentenceTransformer(model_name)\n"
        "model_name = model_name if '/' not in model_name else model_name.split('/')[-1]\n"
        "model.push_to_hub(f'{model_name}-sts')\n"
    )
    assert found(scan_python, text) == {("acme/embedder-base", "model", "used")}


def test_a_rewrite_inside_an_if_also_counts():
    text = (
        "from sentence_transformers import SentenceTransformer\n"
        "student = 'acme/tiny-student'\n"
        "model = SentenceTransformer(student)\n"
        "if '/' in student:\n"
        "    student = student.split('/')[-1]\n"
        "repo_id = f'{student}-distilled'\n"
        "model.push_to_hub(repo_id)\n"
    )
    assert found(scan_python, text) == {("acme/tiny-student", "model", "used")}


def test_a_default_read_back_through_getenv_is_no_rewrite():
    text = (
        "import os\n"
        "from transformers import pipeline\n"
        "MODEL = 'acme/classifier'\n"
        "MODEL = os.getenv('MODEL', MODEL)\n"
        "clf = pipeline('text-classification', model=MODEL)\n"
    )
    assert "acme/classifier" in ids(scan_python, text)


def test_a_constant_template_before_any_rewrite_still_resolves():
    text = (
        "from datasets import load_dataset\n"
        "org = 'acme'\n"
        "ds = load_dataset(f'{org}/reviews')\n"
    )
    assert ids(scan_python, text) == {"acme/reviews"}


# -- serving containers and router model lists (open misses of the second round) ------------------
def scan_sh(text: str, col: Collector) -> None:
    from clearance.scan.shell import scan_shell_text

    scan_shell_text(text, col)


def test_a_vllm_image_run_with_a_positional_model():
    text = (
        "IMAGE=example/vllm-openai:2025-01\n"
        "docker run --gpus all --env \"LOG=DEBUG\" -v ~/.cache/huggingface:/root/.cache/huggingface \\\n"
        "    --ipc host --shm-size=8g --rm --name server \\\n"
        "    $IMAGE \\\n"
        "    acme/chat-8b \\\n"
        "    --port 8100\n"
    )
    assert found(scan_sh, text) == {("acme/chat-8b", "model", "used")}


def test_a_tgi_image_names_its_model_by_flag():
    text = "docker run --gpus all -p 8080:80 ghcr.io/huggingface/text-generation-inference:3.0 --model-id acme/chat-8b\n"
    assert ids(scan_sh, text) == {"acme/chat-8b"}


def test_other_images_take_no_positional_model():
    assert ids(scan_sh, "docker run --rm -it acme/tools:latest acme/not-a-model\n") == set()
    assert ids(scan_sh, "docker run vllm/vllm-openai:latest --help\n") == set()


def test_a_comma_separated_model_list_flag_gives_each_model():
    text = "vllm-router --port 8000 --static-models \"acme/chat-8b,acme/chat-70b\" --static-model-types chat,chat\n"
    assert ids(scan_sh, text) == {"acme/chat-8b", "acme/chat-70b"}
